// End-to-end tests of `neuroscale ckpt` on a real run: the tiny corpus, 4 pretraining steps
// with a checkpoint every 2 (one process), then list, verify, inspect and export, the
// export read back from Python, and a damaged copy refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "io/tensors/safetensors.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::count_lines;
using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;
using neuroscale::cli_test::slurp;

const std::string kSource = NEUROSCALE_SOURCE_DIR;
const std::string kQkv =
    "encoder.transformer.layers.0.attn.qkv.weight";  // a parameter of the tiny model

// The first line of `text` that starts with `prefix`; "" when there is none.
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

testing::AssertionResult shell(const std::string& command) {
  if (std::system(command.c_str()) == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "failed: " << command;
}

// Flips the lowest bit of the byte `offset` bytes before the end of `path` (same size).
testing::AssertionResult flip_byte(const std::string& path, long offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(-offset, std::ios::end);
  const int byte = file.get();
  file.seekp(-offset, std::ios::end);
  file.put(static_cast<char>(byte ^ 0x01));
  file.flush();
  if (byte >= 0 && file.good()) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "cannot flip a byte of " << path;
}

// Every case gets its own run (CTest runs cases in parallel, each in its own process).
class CkptCli : public testing::Test {
 protected:
  void SetUp() override {
    run_ = testing::TempDir() + "neuroscale_ckpt_" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    checkpoints_ = run_ + "/checkpoints";
    ASSERT_TRUE(shell("rm -rf " + run_ + " " + run_ + ".h5 " + run_ + "_damaged " + run_ +
                      "_*.safetensors"));
    Result synth = run("synth --config " + kSource + "/configs/synth/tiny.yaml --output " + run_ +
                       ".h5 --force");
    ASSERT_EQ(synth.code, 0) << synth.err;
    Result pretrain = run("pretrain --config " + kSource +
                          "/configs/pretrain/tiny.yaml --run-dir " + run_ + " data.corpus=" + run_ +
                          ".h5 train.max_steps=4 checkpoint.every_steps=2 "
                          "schedule.warmup_steps=2");  // tiny.yaml warms up for 5 steps
    ASSERT_EQ(pretrain.code, 0) << pretrain.err;
  }
  std::string run_, checkpoints_;
};

TEST_F(CkptCli, ListShowsBothCheckpointsNewestFirstAndMarksLatest) {
  Result list = run("ckpt list " + run_);
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(count_lines(list.out), 3) << list.out;  // header + two checkpoints
  const auto newest = line_starting(list.out, "step-00000004"),
             older = line_starting(list.out, "step-00000002");
  EXPECT_LT(list.out.find("step-00000004"), list.out.find("step-00000002")) << list.out;
  EXPECT_NE(newest.find(" 4 "), std::string::npos) << newest;
  EXPECT_NE(newest.find(" latest "), std::string::npos) << newest;
  EXPECT_EQ(older.find("latest"), std::string::npos) << older;
  for (const auto& line : {newest, older}) {
    EXPECT_NE(line.find(" MiB "), std::string::npos) << line;  // 3.5 MiB: parameters + AdamW
    EXPECT_EQ(line.substr(line.size() - 4), "  ok") << line;
  }
  // The checkpoints directory and one step directory name the same checkpoints.
  EXPECT_EQ(run("ckpt list " + checkpoints_ + "/").out, list.out);
  Result one = run("ckpt list " + checkpoints_ + "/step-00000002");
  EXPECT_EQ(count_lines(one.out), 2) << one.out;
  EXPECT_EQ(line_starting(one.out, "step-00000002"), older);
  // A save that never committed is listed as such; a manifest gone is the status.
  ASSERT_TRUE(shell("mkdir " + checkpoints_ + "/step-00000006.tmp && rm " + checkpoints_ +
                    "/step-00000002/manifest.yaml"));
  Result leftovers = run("ckpt list " + run_);
  EXPECT_EQ(leftovers.code, 0) << leftovers.err;
  EXPECT_NE(line_starting(leftovers.out, "step-00000006.tmp").find("incomplete (never committed)"),
            std::string::npos)
      << leftovers.out;
  EXPECT_NE(line_starting(leftovers.out, "step-00000002").find("manifest.yaml' is missing"),
            std::string::npos)
      << leftovers.out;
}

TEST_F(CkptCli, VerifyAcceptsARunACheckpointsDirectoryOrOneCheckpoint) {
  for (const auto& path : {run_, checkpoints_}) {
    Result verify = run("ckpt verify " + path);
    EXPECT_EQ(verify.code, 0) << verify.err;
    EXPECT_EQ(line_starting(verify.out, "OK ").substr(0, 16), "OK step-00000004") << verify.out;
    EXPECT_NE(verify.out.find("\nOK step-00000002 ("), std::string::npos) << verify.out;
    EXPECT_EQ(verify.err, "");
  }
  Result one = run("ckpt verify " + checkpoints_ + "/step-00000002");
  EXPECT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(count_lines(one.out), 1) << one.out;
}

TEST_F(CkptCli, InspectShowsStepFilesTensorsAndTrainingState) {
  Result inspect = run("ckpt inspect " + run_);
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  const auto step = line_starting(inspect.out, "step ");
  EXPECT_EQ(step.substr(step.size() - 2), " 4") << inspect.out;
  EXPECT_NE(line_starting(inspect.out, "world size ").find(" 1"), std::string::npos) << inspect.out;
  EXPECT_NE(line_starting(inspect.out, "verification ").find("OK"), std::string::npos)
      << inspect.out;
  EXPECT_NE(line_starting(inspect.out, "code version ").find("neuroscale "), std::string::npos)
      << inspect.out;
  EXPECT_EQ(line_starting(inspect.out, "config hash ").size(),
            std::string("config hash   ").size() + 16)
      << inspect.out;
  const auto qkv = line_starting(inspect.out, "  model." + kQkv + " ");
  EXPECT_NE(qkv.find("F32"), std::string::npos) << inspect.out;
  EXPECT_NE(qkv.find("shard-00000.safetensors"), std::string::npos) << qkv;
  EXPECT_NE(line_starting(inspect.out, "  state-00000.txt ").size(), 0u) << inspect.out;
  // Default output lists model tensors only; --tensors the optimiser state too.
  EXPECT_EQ(inspect.out.find("  optim."), std::string::npos) << inspect.out;
  Result all = run("ckpt inspect " + checkpoints_ + "/step-00000004 --tensors");
  EXPECT_NE(all.out.find("  optim." + kQkv + ".exp_avg "), std::string::npos) << all.out;
  // Rank 0's training state: step 4, epoch 0, cursor 4 (22 training trials, batches of 4),
  // world size 1, the CPU generator saved and no CUDA one.
  std::istringstream state(
      line_starting(inspect.out.substr(inspect.out.find("training state")), "  0 "));
  std::vector<std::string> fields{std::istream_iterator<std::string>(state), {}};
  ASSERT_EQ(fields.size(), 8u) << inspect.out;  // rank step epoch cursor world "N bytes" none
  EXPECT_EQ(std::vector<std::string>(fields.begin(), fields.begin() + 5),
            (std::vector<std::string>{"0", "4", "0", "4", "1"}));
  EXPECT_GT(std::stoll(fields[5]), 0);
  EXPECT_EQ(fields[6] + " " + fields[7], "bytes none");
}

TEST_F(CkptCli, ExportHasPyTorchNamesAndMetadata) {
  const std::string output = run_ + "_model.safetensors";
  Result exported = run("ckpt export " + run_ + " --output " + output);
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_NE(exported.out.find("exported step-00000004 (step 4)"), std::string::npos)
      << exported.out;

  // In C++: PyTorch names, no optimiser state, the metadata.
  const auto file = neuroscale::io::read_safetensors(output);
  bool has_qkv = false;
  for (const auto& [name, tensor] : file.tensors) {
    EXPECT_EQ(name.rfind("model.", 0), std::string::npos) << name;
    EXPECT_EQ(name.rfind("optim.", 0), std::string::npos) << name;
    has_qkv = has_qkv || name == kQkv;
  }
  EXPECT_TRUE(has_qkv);
  EXPECT_EQ(file.metadata.at("format"), "pt");
  EXPECT_EQ(file.metadata.at("step"), "4");
  EXPECT_EQ(file.metadata.at("config_hash").size(), 16u);

  // --include-optimizer adds the optim.* tensors under their checkpoint names.
  Result with_optimizer =
      run("ckpt export " + checkpoints_ + " --output " + output + " --force --include-optimizer");
  ASSERT_EQ(with_optimizer.code, 0) << with_optimizer.err;
  std::size_t optimizer_tensors = 0, model_tensors = 0;
  for (const auto& [name, tensor] : neuroscale::io::read_safetensors(output).tensors) {
    EXPECT_EQ(name.rfind("model.", 0), std::string::npos) << name;
    (name.rfind("optim.", 0) == 0 ? optimizer_tensors : model_tensors) += 1;
  }
  EXPECT_EQ(model_tensors, file.tensors.size());
  EXPECT_EQ(optimizer_tensors, 3 * model_tensors);  // AdamW: exp_avg, exp_avg_sq, step
}

// The build's PyTorch (NEUROSCALE_PYTHON) reads the export independently of
// neuroscale and compares it with the shards (tests/jobs/ckpt_export_check.py).
TEST_F(CkptCli, ExportReadFromPythonEqualsTheShards) {
  const std::string python = NEUROSCALE_PYTHON;
  if (std::system((python + " -c 'import torch, numpy' >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << "CkptCli.ExportReadFromPythonEqualsTheShards: '" << python
                 << "' cannot import torch and numpy (scripts/setup installs PyTorch into .venv)";
  }
  const std::string output = run_ + "_model.safetensors";
  Result exported = run("ckpt export " + checkpoints_ + "/step-00000004 --output " + output);
  ASSERT_EQ(exported.code, 0) << exported.err;
  const std::string log = output + ".python.log";
  const int status =
      std::system((python + " " + kSource + "/tests/jobs/ckpt_export_check.py " + output + " " +
                   checkpoints_ + "/step-00000004 4 >" + log + " 2>&1")
                      .c_str());
  EXPECT_EQ(status, 0) << slurp(log);
  EXPECT_NE(slurp(log).find("ok: "), std::string::npos) << slurp(log);
}

TEST_F(CkptCli, DamagedShardFailsVerificationAndIsNeverExported) {
  const std::string copy = run_ + "_damaged", output = run_ + "_model.safetensors";
  ASSERT_TRUE(shell("cp -r " + run_ + " " + copy));
  ASSERT_TRUE(flip_byte(copy + "/checkpoints/step-00000004/shard-00000.safetensors", 100));

  Result verify = run("ckpt verify " + copy);
  EXPECT_EQ(verify.code, 5) << verify.err;
  EXPECT_EQ(verify.out.find("FAILED step-00000004: "), 0u) << verify.out;
  EXPECT_NE(verify.out.find("\nOK step-00000002 ("), std::string::npos) << verify.out;
  EXPECT_EQ(count_lines(verify.err), 1) << verify.err;
  EXPECT_EQ(verify.err.rfind("neuroscale: checkpoint error: 1 of 2 checkpoints", 0), 0u)
      << verify.err;
  for (const char* word : {"shard-00000.safetensors", "checksum"}) {
    EXPECT_NE(verify.err.find(word), std::string::npos) << word << " in " << verify.err;
  }
  Result one = run("ckpt verify " + copy + "/checkpoints/step-00000004");
  EXPECT_EQ(one.code, 5);
  EXPECT_NE(one.err.find("shard-00000.safetensors: checksum "), std::string::npos) << one.err;

  // Export refuses the damaged checkpoint by name; from the run it takes the newest that verifies.
  Result refused = run("ckpt export " + copy + "/checkpoints/step-00000004 --output " + output);
  EXPECT_EQ(refused.code, 5);
  EXPECT_NE(refused.err.find("not exporting a damaged checkpoint"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("checksum"), std::string::npos) << refused.err;
  EXPECT_EQ(std::fopen(output.c_str(), "r"), nullptr);
  Result fallback = run("ckpt export " + copy + " --output " + output);
  EXPECT_EQ(fallback.code, 0) << fallback.err;
  EXPECT_NE(fallback.out.find("exported step-00000002 (step 2)"), std::string::npos)
      << fallback.out;
  EXPECT_NE(fallback.err.find("skipping step-00000004"), std::string::npos) << fallback.err;
  Result inspect = run("ckpt inspect " + copy + "/checkpoints/step-00000004");
  EXPECT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(line_starting(inspect.out, "verification ").find("FAILED: "), std::string::npos)
      << inspect.out;

  // An existing output is replaced only with --force.
  const std::string before = slurp(output);
  Result again = run("ckpt export " + run_ + " --output " + output);
  EXPECT_EQ(again.code, 2);
  EXPECT_EQ(again.err, "neuroscale: usage error: neuroscale ckpt export: '" + output +
                           "' already exists (pass --force to replace it)\n");
  EXPECT_EQ(slurp(output), before);
  Result forced = run("ckpt export " + run_ + " --output " + output + " --force");
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(slurp(output), before);  // step 4 now
}

TEST(CkptCliUsage, ActionsPathsAndHelp) {
  Result none = run("ckpt");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("missing argument ACTION"), std::string::npos) << none.err;
  Result typo = run("ckpt lsit runs/x");
  EXPECT_EQ(typo.code, 2);
  EXPECT_EQ(
      typo.err,
      "neuroscale: usage error: neuroscale ckpt: unknown action 'lsit' (did you mean 'list'?) "
      "(expected: list, verify, inspect, export)\n");
  Result help = run("ckpt --help");
  EXPECT_EQ(help.code, 0);
  for (const char* action : {"list", "verify", "inspect", "export"}) {
    EXPECT_NE(help.out.find(std::string("\n  ") + action + " "), std::string::npos) << help.out;
    Result action_help = run(std::string("ckpt ") + action + " --help");
    EXPECT_EQ(action_help.code, 0) << action;
    EXPECT_EQ(action_help.out.rfind(std::string("usage: neuroscale ckpt ") + action + " ", 0), 0u)
        << action_help.out;
    EXPECT_NE(action_help.out.find("examples:\n  neuroscale ckpt " + std::string(action)),
              std::string::npos)
        << action_help.out;
  }
  Result options_first = run("ckpt --log-level warn list --help");
  EXPECT_EQ(options_first.out.rfind("usage: neuroscale ckpt list ", 0), 0u) << options_first.out;
  Result no_output = run("ckpt export runs/x");
  EXPECT_EQ(no_output.code, 2);
  EXPECT_NE(no_output.err.find("missing required option --output FILE"), std::string::npos)
      << no_output.err;
}

TEST(CkptCliUsage, PathsThatHoldNoCheckpointsAreNamed) {
  const std::string base = testing::TempDir() + "neuroscale_ckpt_paths";
  ASSERT_TRUE(shell("rm -rf " + base + " && mkdir -p " + base + "/plain " + base +
                    "/run/checkpoints " + base + "/run2/checkpoints/step-00000008.tmp && touch " +
                    base + "/file"));
  Result missing = run("ckpt list " + base + "/nope");
  EXPECT_EQ(missing.code, 5);
  EXPECT_EQ(
      missing.err,
      "neuroscale: checkpoint error: '" + base +
          "/nope' does not exist (expected a run directory "
          "(with checkpoints/), a checkpoints directory (with latest or step-N/) or a checkpoint "
          "(step-N/ with manifest.yaml))\n");
  Result file = run("ckpt verify " + base + "/file");
  EXPECT_EQ(file.code, 5);
  EXPECT_NE(file.err.find("/file' is not a directory (expected a run directory"), std::string::npos)
      << file.err;
  Result plain = run("ckpt inspect " + base + "/plain");
  EXPECT_EQ(plain.code, 5);
  EXPECT_NE(plain.err.find("/plain' holds no checkpoints (expected"), std::string::npos)
      << plain.err;
  // An empty run: list says so and succeeds; verify has nothing to verify and fails.
  Result empty = run("ckpt list " + base + "/run");
  EXPECT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "no checkpoints in " + base + "/run/checkpoints\n");
  Result nothing = run("ckpt verify " + base + "/run");
  EXPECT_EQ(nothing.code, 5);
  EXPECT_NE(nothing.err.find("holds no committed checkpoint to verify"), std::string::npos)
      << nothing.err;
  // Only an abandoned save: listed as incomplete, and refused when named.
  Result leftover = run("ckpt list " + base + "/run2");
  EXPECT_EQ(leftover.code, 0) << leftover.err;
  EXPECT_NE(line_starting(leftover.out, "step-00000008.tmp").find("incomplete (never committed)"),
            std::string::npos)
      << leftover.out;
  Result named = run("ckpt inspect " + base + "/run2/checkpoints/step-00000008.tmp");
  EXPECT_EQ(named.code, 5);
  EXPECT_NE(named.err.find("is an incomplete checkpoint (never committed)"), std::string::npos)
      << named.err;
}

}  // namespace
