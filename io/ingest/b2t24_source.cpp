#include "io/ingest/b2t24_source.h"

#include <algorithm>
#include <map>
#include <regex>
#include <utility>

#include "core/check.h"
#include "core/decode/sentence_phonemes.h"
#include "core/text.h"
#include "io/ingest/source_files.h"
#include "io/lm/lexicon_reader.h"

namespace neuroscale::io {
namespace {

// Owning matio handles.
struct MatFile {
  mat_t* mat = nullptr;
  explicit MatFile(const std::string& path) : mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY)) {
    NS_CHECK_AS(DataError, mat != nullptr, "'", path, "' does not exist or is not a MAT file");
  }
  ~MatFile() { Mat_Close(mat); }
  MatFile(const MatFile&) = delete;
  MatFile& operator=(const MatFile&) = delete;
};
struct MatVar {
  matvar_t* var = nullptr;
  explicit MatVar(matvar_t* v) : var(v) {}
  MatVar(MatVar&& other) noexcept : var(std::exchange(other.var, nullptr)) {}
  ~MatVar() { Mat_VarFree(var); }
  MatVar(const MatVar&) = delete;
  MatVar& operator=(const MatVar&) = delete;
  MatVar& operator=(MatVar&&) = delete;
};

Split split_of(const std::string& file) {
  const std::string folder = parent_name(file);
  if (folder == "train") return Split::kTrain;
  if (folder == "test") return Split::kVal;
  if (folder == "competitionHoldOut") return Split::kTest;
  NS_THROW(DataError, "'", file, "' is not in a train, test or competitionHoldOut folder");
}

double numeric_at(const matvar_t* var, std::size_t i) {
  switch (var->class_type) {
    case MAT_C_DOUBLE:
      return static_cast<const double*>(var->data)[i];
    case MAT_C_SINGLE:
      return static_cast<const float*>(var->data)[i];
    case MAT_C_INT32:
      return static_cast<const std::int32_t*>(var->data)[i];
    case MAT_C_UINT8:
      return static_cast<const std::uint8_t*>(var->data)[i];
    case MAT_C_INT64:
      return static_cast<double>(static_cast<const std::int64_t*>(var->data)[i]);
    case MAT_C_UINT16:
      return static_cast<const std::uint16_t*>(var->data)[i];
    case MAT_C_INT16:
      return static_cast<const std::int16_t*>(var->data)[i];
    default:
      NS_THROW(DataError, "variable '", var->name ? var->name : "?",
               "' has an unsupported numeric class ", int(var->class_type));
  }
}

// Row `row` of an S x C char matrix (column-major), trailing blanks removed.
std::string char_row(const matvar_t* var, std::size_t row) {
  const std::size_t rows = var->dims[0], cols = var->rank > 1 ? var->dims[1] : 1;
  std::string text;
  for (std::size_t c = 0; c < cols; ++c) {
    const std::size_t i = row + c * rows;
    unsigned code = 0;
    if (var->data_type == MAT_T_UINT16 || var->data_type == MAT_T_UTF16) {
      code = static_cast<const std::uint16_t*>(var->data)[i];
    } else {
      code = static_cast<const std::uint8_t*>(var->data)[i];
    }
    NS_CHECK_AS(DataError, code < 128, "sentenceText holds non-ASCII character code ", code);
    text.push_back(static_cast<char>(code));
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

}  // namespace

B2t24Source::B2t24Source(std::vector<std::string> inputs, std::vector<std::string> features,
                         int first_column, int end_column, std::string lexicon)
    : inputs_(std::move(inputs)),
      features_(std::move(features)),
      lexicon_path_(std::move(lexicon)),
      first_column_(first_column),
      end_column_(end_column) {
  if (!lexicon_path_.empty())
    lexicon_ = std::make_unique<decode::Lexicon>(read_lexicon(lexicon_path_));
  static const std::vector<std::string> kKnown = {"tx1", "tx2", "tx3", "tx4", "spikePow"};
  NS_CHECK_AS(UsageError, !features_.empty(), "b2t24: no feature variables chosen");
  for (const auto& f : features_) {
    NS_CHECK_AS(UsageError, std::find(kKnown.begin(), kKnown.end(), f) != kKnown.end(),
                "b2t24: unknown feature '", f, "'", did_you_mean(f, kKnown),
                " (known: ", join(kKnown, ", "), ")");
  }
}

B2t24Source::~B2t24Source() {
  for (matvar_t* var : loaded_) Mat_VarFree(var);
}

void B2t24Source::scan(CorpusContent& content) {
  static const std::regex kName("([A-Za-z0-9_-]+)\\.(\\d{4})\\.(\\d{2})\\.(\\d{2})\\.mat");
  for (const std::string& input : inputs_) {
    std::vector<std::string> candidates;
    if (!is_directory(input)) {
      candidates.push_back(input);
    } else {
      // competitionData/ (with split folders) or one split folder.
      std::vector<std::string> dirs = {input};
      for (const char* split : {"train", "test", "competitionHoldOut"}) {
        if (is_directory(input + "/" + split)) dirs.push_back(input + "/" + split);
      }
      for (const std::string& dir : dirs) {
        for (const std::string& name : list_directory(dir)) {
          if (std::regex_match(name, kName)) candidates.push_back(dir + "/" + name);
        }
      }
      NS_CHECK_AS(DataError, !candidates.empty(),
                  "no Brain-to-Text '24 files (<split>/t12.YYYY.MM.DD.mat) under '", input, "'");
    }
    files_.insert(files_.end(), candidates.begin(), candidates.end());
  }
  auto key = [](const std::string& f) {
    return std::make_pair(basename_of(f), static_cast<int>(split_of(f)));
  };
  std::sort(files_.begin(), files_.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });

  CorpusIndex& index = content.index;
  index.source = "b2t24";
  std::map<std::string, std::int32_t> session_ids;
  std::vector<std::int64_t> epoch_days;
  std::map<std::string, std::pair<std::size_t, std::string>> unknown;  // count, first trial
  for (std::size_t f = 0; f < files_.size(); ++f) {
    const std::string& file = files_[f];
    std::smatch match;
    const std::string name = basename_of(file);
    NS_CHECK_AS(DataError, std::regex_match(name, match, kName), "'", file,
                "' is not named <participant>.YYYY.MM.DD.mat");
    if (index.subjects.empty()) {
      index.subjects.push_back({match[1], "human", 0, ""});
    }
    NS_CHECK_AS(DataError, index.subjects[0].name == match[1].str(), "'", file,
                "' is of participant ", match[1], ", others of ", index.subjects[0].name,
                " (ingest one participant per corpus)");
    const std::string session_name = name.substr(0, name.size() - 4);
    const Split split = split_of(file);
    if (!session_ids.count(session_name)) {
      const int y = std::stoi(match[2]), m = std::stoi(match[3]), d = std::stoi(match[4]);
      session_ids[session_name] = static_cast<std::int32_t>(index.sessions.size());
      epoch_days.push_back(days_from_civil(y, m, d));
      index.sessions.push_back({0, iso_date(y, m, d), 0, "attempted_speech"});
    }
    const std::int32_t session = session_ids[session_name];
    try {
      MatFile mat(file);
      MatVar text(Mat_VarRead(mat.mat, "sentenceText"));
      MatVar blocks(Mat_VarRead(mat.mat, "blockIdx"));
      NS_CHECK_AS(DataError, blocks.var != nullptr, "missing variable 'blockIdx'");
      std::vector<MatVar> infos;
      std::size_t cells = 0;
      int width = 0;
      for (const std::string& feature : features_) {
        infos.emplace_back(Mat_VarReadInfo(mat.mat, feature.c_str()));
        const matvar_t* info = infos.back().var;
        NS_CHECK_AS(DataError, info != nullptr, "missing variable '", feature, "'");
        NS_CHECK_AS(DataError, info->class_type == MAT_C_CELL, "variable '", feature,
                    "' is not a cell array");
        const std::size_t n = info->dims[0] * (info->rank > 1 ? info->dims[1] : 1);
        NS_CHECK_AS(DataError, cells == 0 || n == cells, "variable '", feature, "' has ", n,
                    " trials, others ", cells);
        cells = n;
      }
      NS_CHECK_AS(DataError, blocks.var->dims[0] * blocks.var->dims[1] == cells, "blockIdx has ",
                  blocks.var->dims[0] * blocks.var->dims[1], " entries for ", cells, " trials");
      if (text.var) {
        NS_CHECK_AS(DataError, text.var->class_type == MAT_C_CHAR && text.var->dims[0] == cells,
                    "sentenceText should be a ", cells, "-row char matrix");
      }
      for (std::size_t i = 0; i < cells; ++i) {
        const std::string where = "trial " + std::to_string(i);
        std::size_t bins = 0;
        width = 0;
        for (std::size_t v = 0; v < infos.size(); ++v) {
          matvar_t* cell = Mat_VarGetCell(infos[v].var, static_cast<int>(i));
          NS_CHECK_AS(DataError, cell != nullptr && cell->rank == 2, where, ": '", features_[v],
                      "' cell is missing or not a matrix");
          NS_CHECK_AS(DataError, cell->dims[0] > 0, where, ": '", features_[v],
                      "' is empty (0 time bins)");
          NS_CHECK_AS(DataError, bins == 0 || bins == cell->dims[0], where, ": '", features_[v],
                      "' has ", cell->dims[0], " bins, other features ", bins);
          bins = cell->dims[0];
          const int columns = static_cast<int>(cell->dims[1]);
          const int end = end_column_ < 0 ? columns : end_column_;
          NS_CHECK_AS(DataError, first_column_ >= 0 && first_column_ < end && end <= columns, where,
                      ": '", features_[v], "' has ", columns, " columns; columns [", first_column_,
                      ", ", end, ") were asked for");
          width += end - first_column_;
        }
        if (index.subjects[0].n_channels == 0) {
          index.subjects[0].n_channels = width;
          index.subjects[0].feature_layout =
              join(features_, " + ") + " (" + std::to_string(width) + " columns)";
        }
        NS_CHECK_AS(DataError, index.subjects[0].n_channels == width, where, ": ", width,
                    " feature columns, earlier trials have ", index.subjects[0].n_channels);
        const std::string sentence = text.var ? char_row(text.var, i) : "";
        const auto block = static_cast<std::int32_t>(numeric_at(blocks.var, i));
        std::vector<int> labels;
        if (lexicon_ && !sentence.empty()) {
          auto phonemes = decode::sentence_phonemes(sentence, *lexicon_);
          for (const auto& word : phonemes.unknown) {
            auto& seen = unknown[word];
            if (seen.first++ == 0) seen.second = "'" + file + "' " + where;
          }
          labels = std::move(phonemes.labels);
        }
        index.add_trial(session, split, static_cast<std::int32_t>(bins),
                        static_cast<std::int32_t>(labels.size()),
                        static_cast<std::int32_t>(sentence.size()), block);
        content.phonemes.insert(content.phonemes.end(), labels.begin(), labels.end());
        content.text += sentence;
        trials_.push_back({f, static_cast<int>(i)});
      }
    } catch (const Error& e) {
      NS_THROW(DataError, "'", file, "': ", e.what());
    }
  }
  NS_CHECK_AS(DataError, !trials_.empty(), "no trials in the b2t24 inputs");
  if (!unknown.empty()) {
    std::string listed;
    std::size_t shown = 0;
    for (const auto& [word, seen] : unknown) {
      if (shown++ == 20) break;
      listed += (listed.empty() ? "" : ", ") + word + " (" + std::to_string(seen.first) +
                "x, first in " + seen.second + ")";
    }
    NS_THROW(DataError, "lexicon '", lexicon_path_, "' lacks ", unknown.size(),
             " word(s) of the sentences: ", listed, unknown.size() > 20 ? ", ..." : "",
             "; add their pronunciations (CMU-dict style) and ingest again");
  }
  assign_session_days(index, epoch_days);
}

void B2t24Source::load(std::size_t file) {
  if (loaded_file_ == file) return;
  for (matvar_t* var : loaded_) Mat_VarFree(var);
  loaded_.clear();
  loaded_file_ = static_cast<std::size_t>(-1);
  MatFile mat(files_[file]);
  for (const std::string& feature : features_) {
    matvar_t* var = Mat_VarRead(mat.mat, feature.c_str());
    NS_CHECK_AS(DataError, var != nullptr, "'", files_[file], "': cannot read variable '", feature,
                "'");
    loaded_.push_back(var);
  }
  loaded_file_ = file;
}

std::vector<float> B2t24Source::read_features(std::size_t trial) {
  const TrialRef& ref = trials_.at(trial);
  load(ref.file);
  std::vector<matvar_t*> cells;
  for (matvar_t* var : loaded_) cells.push_back(Mat_VarGetCell(var, ref.cell));
  const std::size_t bins = cells[0]->dims[0];
  std::size_t width = 0;
  for (matvar_t* cell : cells)
    width += static_cast<std::size_t>(
        (end_column_ < 0 ? static_cast<int>(cell->dims[1]) : end_column_) - first_column_);
  std::vector<float> x(bins * width);
  std::size_t offset = 0;
  for (matvar_t* cell : cells) {
    const std::size_t columns = cell->dims[1];
    const std::size_t end = end_column_ < 0 ? columns : static_cast<std::size_t>(end_column_);
    for (std::size_t c = static_cast<std::size_t>(first_column_); c < end; ++c, ++offset) {
      for (std::size_t b = 0; b < bins; ++b) {
        x[b * width + offset] = static_cast<float>(numeric_at(cell, b + c * bins));  // column-major
      }
    }
  }
  return x;
}

std::string B2t24Source::locate(std::size_t trial) const {
  const TrialRef& ref = trials_.at(trial);
  return "'" + files_[ref.file] + "', trial " + std::to_string(ref.cell);
}

}  // namespace neuroscale::io
