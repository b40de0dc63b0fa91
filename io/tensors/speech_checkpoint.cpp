#include "io/tensors/speech_checkpoint.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/check.h"
#include "core/model/lora.h"
#include "core/text.h"
#include "io/hash/xxhash64.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {
namespace {

using Shape = std::vector<std::int64_t>;

// Every backbone checkpoint has this key; what precedes it is the model prefix.
const std::string kAnchor = "feature_projection.projection.weight";
const std::vector<std::string> kKnownPrefixes = {"", "wav2vec2.", "hubert."};
const std::string kPosConv = "encoder.pos_conv_embed.conv.";
const std::string kLegacyNorm = "weight_g/weight_v";
const std::string kParametrizedNorm = "parametrizations.weight.original0/1";

// The file's backbone entries under model names (prefix stripped, weight norm renamed).
struct BackboneKeys {
  std::string prefix;
  std::string weight_norm = kLegacyNorm;
  std::map<std::string, TensorInfo> entries;  ///< model name -> file entry
  std::vector<std::string> ignored;           ///< file keys outside the backbone
};

BackboneKeys backbone_keys(const std::string& path, const std::vector<TensorInfo>& header) {
  BackboneKeys keys;
  std::vector<std::string> anchors;
  for (const auto& info : header) {
    const auto& name = info.name;
    if (name.size() >= kAnchor.size() &&
        name.compare(name.size() - kAnchor.size(), kAnchor.size(), kAnchor) == 0) {
      anchors.push_back(name);
    }
  }
  NS_CHECK_AS(DataError, !anchors.empty(), path,
              ": no wav2vec2 / HuBERT backbone in the file (no key ends in '", kAnchor, "'; ",
              header.size(), " keys)");
  NS_CHECK_AS(DataError, anchors.size() == 1, path, ": more than one backbone in the file ('",
              anchors[0], "' and '", anchors[1], "')");
  keys.prefix = anchors[0].substr(0, anchors[0].size() - kAnchor.size());
  NS_CHECK_AS(
      DataError,
      std::find(kKnownPrefixes.begin(), kKnownPrefixes.end(), keys.prefix) != kKnownPrefixes.end(),
      path, ": key '", anchors[0], "' has the model prefix '", keys.prefix,
      "'; expected 'wav2vec2.', 'hubert.' or none");

  bool legacy = false, parametrized = false;
  for (const auto& info : header) {
    if (!starts_with(info.name, keys.prefix)) {
      keys.ignored.push_back(info.name);
      continue;
    }
    auto name = info.name.substr(keys.prefix.size());
    if (name == kPosConv + "parametrizations.weight.original0") {
      name = kPosConv + "weight_g";
      parametrized = true;
    } else if (name == kPosConv + "parametrizations.weight.original1") {
      name = kPosConv + "weight_v";
      parametrized = true;
    } else if (name == kPosConv + "weight_g" || name == kPosConv + "weight_v") {
      legacy = true;
    }
    const bool backbone = starts_with(name, "feature_extractor.") ||
                          starts_with(name, "feature_projection.") || starts_with(name, "encoder.");
    if (backbone) {
      keys.entries.emplace(name, info);
    } else {
      keys.ignored.push_back(info.name);
    }
  }
  NS_CHECK_AS(DataError, !(legacy && parametrized), path,
              ": the positional convolution's weight norm is stored twice (both '", keys.prefix,
              kPosConv, "weight_g/weight_v' and '", keys.prefix, kPosConv,
              "parametrizations.weight.original0/1')");
  if (parametrized) keys.weight_norm = kParametrizedNorm;
  return keys;
}

// The size the file's shapes imply; `evidence` gets, per field, the key that shows it.
model::Wav2Vec2Options implied_options(const BackboneKeys& keys, model::Wav2Vec2Options options,
                                       std::map<std::string, std::string>* evidence) {
  const auto shape_of = [&](const std::string& name) -> const Shape* {
    const auto it = keys.entries.find(name);
    return it == keys.entries.end() ? nullptr : &it->second.shape;
  };
  const auto note = [&](const std::string& field, const std::string& name) {
    if (evidence) (*evidence)[field] = keys.prefix + name + " " + shape_text(*shape_of(name));
  };
  std::vector<std::int64_t> kernels;
  for (int i = 0;; ++i) {
    const auto name = "feature_extractor.conv_layers." + std::to_string(i) + ".conv.weight";
    const auto* shape = shape_of(name);
    if (!shape || shape->size() != 3) break;
    kernels.push_back((*shape)[2]);
    if (i == 0) {
      options.conv_dim((*shape)[0]);
      note("conv_dim", name);
    }
  }
  // Strides have no shape; a different number of kernels shows up as conv_kernels.
  if (!kernels.empty()) options.conv_kernels(kernels);
  if (const auto* shape = shape_of(kAnchor); shape && shape->size() == 2) {
    options.hidden((*shape)[0]);
    note("hidden", kAnchor);
  }
  options.feat_proj_layer_norm(shape_of("feature_projection.layer_norm.weight") != nullptr);
  std::int64_t layers = 0;
  for (const auto& [name, info] : keys.entries) {
    if (!starts_with(name, "encoder.layers.")) continue;
    const auto index =
        std::strtoll(name.c_str() + std::string("encoder.layers.").size(), nullptr, 10);
    if (index + 1 > layers) {
      layers = index + 1;
      if (evidence) (*evidence)["layers"] = keys.prefix + name;
    }
  }
  if (layers > 0) options.layers(layers);
  const std::string ffn = "encoder.layers.0.feed_forward.intermediate_dense.weight";
  if (const auto* shape = shape_of(ffn); shape && shape->size() == 2) {
    options.intermediate((*shape)[0]);
    note("intermediate", ffn);
  }
  const std::string v = kPosConv + "weight_v";
  if (const auto* shape = shape_of(v); shape && shape->size() == 3 && (*shape)[1] > 0) {
    options.pos_conv_kernel((*shape)[2]);
    options.pos_conv_groups(options.hidden() / (*shape)[1]);
    note("pos_conv_kernel", v);
    note("pos_conv_groups", v);
  }
  return options;
}

// "hidden: the file has 1024 (wav2vec2.feature_projection.projection.weight [1024, 512]),
// the model 768", one clause per differing field; empty when the sizes agree.
std::string size_differences(const BackboneKeys& keys, const model::Wav2Vec2Options& model) {
  std::map<std::string, std::string> evidence;
  const auto file = implied_options(keys, model, &evidence);
  std::ostringstream out;
  out << std::boolalpha;
  const auto compare = [&](const char* field, auto in_file, auto in_model) {
    if (in_file == in_model) return;
    out << (out.tellp() > 0 ? "; " : "") << field << ": the file has " << in_file;
    if (evidence.count(field)) out << " (" << evidence[field] << ")";
    out << ", the model " << in_model;
  };
  const auto list = [](const std::vector<std::int64_t>& v) { return shape_text(v); };
  compare("conv_dim", file.conv_dim(), model.conv_dim());
  compare("conv_kernels", list(file.conv_kernels()), list(model.conv_kernels()));
  compare("hidden", file.hidden(), model.hidden());
  compare("layers", file.layers(), model.layers());
  compare("intermediate", file.intermediate(), model.intermediate());
  compare("pos_conv_kernel", file.pos_conv_kernel(), model.pos_conv_kernel());
  compare("pos_conv_groups", file.pos_conv_groups(), model.pos_conv_groups());
  compare("feat_proj_layer_norm", file.feat_proj_layer_norm(), model.feat_proj_layer_norm());
  return out.str();
}

}  // namespace

model::Wav2Vec2Options speech_checkpoint_options(const std::string& path,
                                                 const model::Wav2Vec2Options& given) {
  return implied_options(backbone_keys(path, read_safetensors_header(path)), given, nullptr);
}

SpeechCheckpointSummary load_speech_checkpoint(const std::string& path,
                                               model::Wav2Vec2ModelImpl& model) {
  const auto keys = backbone_keys(path, read_safetensors_header(path));
  const auto differences = size_differences(keys, model.options);
  NS_CHECK_AS(DataError, differences.empty(), path,
              ": the checkpoint's shapes imply another backbone size than the model's options: ",
              differences);

  // Match every backbone parameter to its file entry, checking all before writing any.
  std::map<std::string, at::Tensor> targets;  // file key -> parameter
  std::set<std::string> used;
  for (const auto& item : model.named_parameters()) {
    const auto& name = item.key();
    if (model::is_lora_parameter(name)) continue;
    const Shape expected = item.value().sizes().vec();
    const auto it = keys.entries.find(name);
    if (it == keys.entries.end()) {
      const bool norm = name == kPosConv + "weight_g" || name == kPosConv + "weight_v";
      NS_THROW(DataError, path, ": missing key '", keys.prefix, name, "' (model parameter ",
               shape_text(expected), ")",
               norm ? "; neither the weight_g/weight_v nor the parametrizations.weight.original0/1 "
                      "form of the positional convolution's weight norm is in the file"
                    : "");
    }
    const auto& info = it->second;
    NS_CHECK_AS(DataError, info.shape == expected, path, ": key '", info.name, "' has shape ",
                shape_text(info.shape), " but the model's '", name, "' is ", shape_text(expected));
    NS_CHECK_AS(
        DataError,
        info.dtype == "F32" || info.dtype == "F16" || info.dtype == "BF16" || info.dtype == "F64",
        path, ": key '", info.name, "' has dtype ", info.dtype, "; expected a float type");
    targets.emplace(info.name, item.value());
    used.insert(name);
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, info] : keys.entries) {
    if (!used.count(name)) unexpected.push_back(info.name);
  }
  if (!unexpected.empty()) {
    std::ostringstream names;
    for (std::size_t i = 0; i < unexpected.size() && i < 5; ++i) {
      names << (i ? ", '" : "'") << unexpected[i] << "'";
    }
    if (unexpected.size() > 5) names << " and " << unexpected.size() - 5 << " more";
    NS_THROW(DataError, path, ": ", unexpected.size(),
             " backbone key(s) the model does not have: ", names.str(),
             " (a stable-layer-norm or otherwise different architecture?)");
  }

  SpeechCheckpointSummary summary;
  summary.path = path;
  summary.prefix = keys.prefix;
  summary.weight_norm = keys.weight_norm;
  summary.ignored = keys.ignored;
  const auto file =
      read_safetensors(path, [&](const std::string& key) { return targets.count(key) > 0; });
  torch::NoGradGuard no_grad;
  for (const auto& [key, tensor] : file.tensors) {
    auto& parameter = targets.at(key);
    parameter.copy_(tensor);  // converts F16 / BF16 / F64 and moves to the parameter's device
    summary.tensors_loaded += 1;
    summary.values_loaded += tensor.numel();
  }
  NS_ASSERT(summary.tensors_loaded == targets.size(), path, ": read ", summary.tensors_loaded,
            " of ", targets.size(), " backbone tensors");
  summary.bytes = std::filesystem::file_size(path);
  summary.xxh64 = xxhash64_file(path);
  return summary;
}

}  // namespace neuroscale::io
