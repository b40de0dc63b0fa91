#include "io/synth/speech_synthesis.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/check.h"
#include "io/audio/audio_file.h"
#include "io/fs/files.h"

extern char** environ;

namespace neuroscale::io {
namespace {

// A private directory for one call's files, removed with them.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/neuroscale-speech.XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    NS_CHECK(::mkdtemp(buffer.data()) != nullptr, "cannot create a temporary directory '", pattern,
             "': ", std::strerror(errno));
    path_ = buffer.data();
  }
  ~TempDir() {
    for (const char* name : {"/text.txt", "/speech.wav", "/stderr.txt"})
      std::remove((path_ + name).c_str());
    ::rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A small text file without its trailing line breaks ("" when it cannot be read).
std::string read_text(const std::string& path) {
  std::string value = read_file(path).value_or("");
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

}  // namespace

std::vector<float> speak(const std::string& text, const SpeechOptions& options) {
  TempDir dir;
  const std::string text_path = dir.path() + "/text.txt", wav_path = dir.path() + "/speech.wav",
                    stderr_path = dir.path() + "/stderr.txt";
  {
    std::ofstream out(text_path);
    out << text << '\n';
    NS_CHECK(out.good(), "cannot write '", text_path, "'");
  }
  const std::string rate = std::to_string(options.words_per_minute);
  std::vector<std::string> args = {options.espeak, "-v",     options.voice, "-s",     rate,
                                   "-w",           wav_path, "-f",          text_path};
  std::string command;
  for (const auto& arg : args) command += (command.empty() ? "" : " ") + arg;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      posix_spawnp(&pid, options.espeak.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  NS_CHECK(spawned == 0, "cannot run '", command, "': ", std::strerror(spawned),
           spawned == ENOENT
               ? " (espeak-ng is not installed or not on PATH; scripts/setup installs it)"
               : "");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    NS_CHECK(errno == EINTR, "waiting for '", command, "' failed: ", std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // posix_spawnp of a missing program may also surface as exit status 127 from the child.
    const std::string reason = WIFEXITED(status)
                                   ? "exit status " + std::to_string(WEXITSTATUS(status))
                                   : "signal " + std::to_string(WTERMSIG(status));
    const std::string errors = read_text(stderr_path);
    NS_THROW(Error, "'", command, "' failed with ", reason, errors.empty() ? "" : ": " + errors,
             WIFEXITED(status) && WEXITSTATUS(status) == 127
                 ? " (espeak-ng is not installed or not on PATH; scripts/setup installs it)"
                 : "");
  }
  Audio audio = read_audio(wav_path);
  return resample(audio.samples, audio.sample_rate, options.sample_rate);
}

}  // namespace neuroscale::io
