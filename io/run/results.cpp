#include "io/run/results.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/check.h"
#include "core/json.h"
#include "core/text.h"
#include "io/run/run_directory.h"

namespace neuroscale::io {
namespace {

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\t', ' ');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::int64_t field_number(const std::string& field, const std::string& line) {
  std::size_t used = 0;
  std::int64_t value = 0;
  try {
    value = std::stoll(field, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  NS_CHECK_AS(DataError, used == field.size() && used > 0, "prediction line '", line, "': '", field,
              "' is not a number");
  return value;
}

// A number as people read it in a table ("nan" for a non-finite one).
std::string table_number(double value) { return format_number(value, 6, "nan"); }

}  // namespace

std::string prediction_line(const TrialPrediction& p) {
  std::ostringstream out;
  out << p.trial << '\t' << p.subject << '\t' << p.session << '\t' << p.truth_phonemes << '\t'
      << p.phonemes << '\t' << one_line(p.truth_text) << '\t' << one_line(p.text) << '\t'
      << p.phoneme_edits << '\t' << p.truth_phoneme_count << '\t' << p.word_edits << '\t'
      << p.truth_word_count << '\n';
  return out.str();
}

TrialPrediction parse_prediction_line(const std::string& line) {
  std::vector<std::string> f;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) f.push_back(field);
  NS_CHECK_AS(DataError, f.size() == 11, "prediction line '", line,
              "': expected 11 tab-separated fields, got ", f.size());
  return {field_number(f[0], line),
          f[1],
          f[2],
          f[3],
          f[4],
          f[5],
          f[6],
          field_number(f[7], line),
          field_number(f[8], line),
          field_number(f[9], line),
          field_number(f[10], line)};
}

EvaluationTotals write_evaluation(const std::string& run_dir,
                                  std::vector<TrialPrediction> predictions,
                                  const std::string& split, std::int64_t step, bool words,
                                  const nlohmann::ordered_json& decoder) {
  std::sort(predictions.begin(), predictions.end(),
            [](const auto& a, const auto& b) { return a.trial < b.trial; });
  std::string tsv =
      "trial\tsubject\tsession_date\ttrue_phonemes\tphonemes\ttrue_text\ttext\tphoneme_edits"
      "\ttrue_phoneme_count\tword_edits\ttrue_word_count\n";
  std::string csv = "id,text\n";
  EvaluationTotals totals;
  totals.trials = static_cast<std::int64_t>(predictions.size());
  std::int64_t id = 0;
  for (const auto& p : predictions) {
    tsv += prediction_line(p);
    csv += std::to_string(id++) + "," + csv_quote(p.text) + "\n";
    totals.phoneme_edits += p.phoneme_edits, totals.phonemes += p.truth_phoneme_count;
    totals.word_edits += p.word_edits, totals.words += p.truth_word_count;
  }
  const auto rate = [](std::int64_t edits, std::int64_t reference) {
    return reference > 0
               ? nlohmann::ordered_json(static_cast<double>(edits) / static_cast<double>(reference))
               : nlohmann::ordered_json();
  };
  nlohmann::ordered_json summary;
  summary["trials"] = totals.trials;
  summary["split"] = split;
  summary["step"] = step;
  summary["per"] = rate(totals.phoneme_edits, totals.phonemes);
  summary["phoneme_edits"] = totals.phoneme_edits;
  summary["phonemes"] = totals.phonemes;
  summary["wer"] = rate(totals.word_edits, totals.words);
  summary["word_edits"] = totals.word_edits;
  summary["words"] = totals.words;
  if (!decoder.is_null()) summary["decoder"] = decoder;
  RunDirectory out(run_dir);
  out.write_file("predictions.tsv", tsv);
  if (words) out.write_file("submission.csv", csv);
  out.write_file("evaluation.json", json_line(summary) + "\n");
  return totals;
}

void write_alignment(const std::string& run_dir, const AlignmentResults& results) {
  std::string tsv =
      "participant\trole\tlayer\tmean_r\tmean_cc_norm\tnormalised_voxels\tvoxels\tmedian_alpha\t"
      "train_stories\n";
  auto scores = nlohmann::ordered_json::array();
  for (const auto& s : results.scores) {
    tsv += s.participant + "\t" + s.role + "\t" + s.layer + "\t" + table_number(s.mean_r) + "\t" +
           table_number(s.mean_cc_norm) + "\t" + std::to_string(s.normalised_voxels) + "\t" +
           std::to_string(s.voxels) + "\t" + table_number(s.median_alpha) + "\t" +
           std::to_string(s.train_stories) + "\n";
    scores.push_back({{"participant", s.participant},
                      {"role", s.role},
                      {"layer", s.layer},
                      {"mean_r", s.mean_r},
                      {"mean_cc_norm", s.mean_cc_norm},  // NaN: null
                      {"normalised_voxels", s.normalised_voxels},
                      {"train_stories", s.train_stories}});
  }
  nlohmann::ordered_json document;
  document["model"] = results.model;
  document["step"] = results.step;
  document["base_weights"] = results.base_weights;
  document["train_stories"] = results.train_stories;
  document["test_stories"] = results.test_stories;
  document["scores"] = std::move(scores);
  RunDirectory out(run_dir);
  out.write_file("alignment.tsv", tsv);
  out.write_file("alignment.json", json_document(document));
  write_safetensors(run_dir + "/voxel_scores.safetensors", results.per_voxel);
}

}  // namespace neuroscale::io
