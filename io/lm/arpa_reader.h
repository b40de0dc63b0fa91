// Reads a word n-gram language model in the ARPA text format (as SRILM and KenLM write it):
//   "\\data\\", "ngram 1=N" lines, then "\\1-grams:" with "log10p word [log10backoff]" lines, ...,
//   "\\end\\"
// Throws DataError naming the file and line for anything malformed, and when the counts in
// \data\ do not match the entries.
#pragma once

#include <string>

#include "core/decode/ngram_lm.h"

namespace neuroscale::io {

decode::NgramLm read_arpa(const std::string& path);

}  // namespace neuroscale::io
