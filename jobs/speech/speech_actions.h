// The actions of `neuroscale speech` (dispatched by jobs/speech_command.cpp).
#pragma once

#include <string>
#include <vector>

#include "jobs/runtime.h"

namespace neuroscale::jobs {

int speech_labels(Runtime& runtime, const std::vector<std::string>& args);
int speech_pretrain(Runtime& runtime, const std::vector<std::string>& args);
int speech_export(Runtime& runtime, const std::vector<std::string>& args);
int speech_probe(Runtime& runtime, const std::vector<std::string>& args);

}  // namespace neuroscale::jobs
