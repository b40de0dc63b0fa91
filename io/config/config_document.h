// A YAML configuration as loaded from a file, plus `key.sub=value` overrides from the
// command line, remembering where every value came from so that errors can say
// "configs/pretrain/tiny.yaml:12" or "command-line override 'optim.lr=x'".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/config/config_visitor.h"

namespace neuroscale::io {

class ConfigDocument {
 public:
  // Parses `path`. Throws ConfigError naming the file (and line for syntax errors).
  static ConfigDocument from_file(const std::string& path);
  // Parses `text`; `source` names it in messages.
  static ConfigDocument from_string(const std::string& text, const std::string& source);
  // An empty document: every key keeps its default.
  static ConfigDocument empty(const std::string& source);

  // Adds overrides "a.b.c=value", applied in order by read_into on top of the file *and*
  // the defaults, so "subjects.0.channels=96" works on a list the file does not mention.
  // The value is parsed as YAML ("[1, 2]" is a list); a numeric segment indexes a list.
  // Throws ConfigError for a malformed override now, for one that does not fit the
  // schema when read.
  void apply_overrides(const std::vector<std::string>& overrides);

  const std::string& source() const;
  // The value of the top-level scalar `key` as the file writes it, or `fallback` when the
  // file has no such scalar (overrides are not applied: they are the caller's to read).
  std::string top_level_scalar(const std::string& key, const std::string& fallback) const;

  // Fills the object that `describe` binds. Keys absent from the document keep their
  // current values. Throws ConfigError for an unknown key (with the nearest valid one), a
  // value of the wrong type, or a value out of range, naming key path, file and line.
  void read_into(const Describer& describe) const;

  struct Impl;

 private:
  explicit ConfigDocument(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// True when `arg` looks like an override ("key.sub=value", key made of [A-Za-z0-9_.-]).
bool is_override(const std::string& arg);

}  // namespace neuroscale::io
