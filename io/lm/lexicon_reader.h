// Reads a pronunciation lexicon in the CMU-dict style: one pronunciation per line,
//   WORD  PH PH PH        (stress digits ignored: "HH AH0 L OW1")
// alternate pronunciations as "WORD(2) ...", comment lines starting with ";;;" or "#", and
// comments after " #" (cmudict.dict's "# foreign").
// Words are normalised as transcripts are (lower case). Throws DataError naming the file,
// line and symbol for a phoneme that is not one of the 39.
#pragma once

#include <string>

#include "core/decode/lexicon.h"

namespace neuroscale::io {

decode::Lexicon read_lexicon(const std::string& path);

}  // namespace neuroscale::io
