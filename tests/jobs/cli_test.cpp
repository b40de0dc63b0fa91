// End-to-end tests of the `neuroscale` executable: exit codes, one-line errors, help.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/cuda_test.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::count_lines;
using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;
using neuroscale::cli_test::slurp;

std::string write_config(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

const std::string kTiny = std::string(NEUROSCALE_SOURCE_DIR) + "/configs/synth/tiny.yaml";

TEST(Cli, MisspelledConfigKeyIsOneLineWithFileLineAndNearestKey) {
  const std::string config =
      write_config("typo.yaml", "seed: 3\nsubjects:\n  - name: h\n    electrodez: 96\n");
  Result r = run("synth --config " + config + " --output /tmp/never.h5");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(
      r.err,
      "neuroscale: config error: " + config +
          ":4: unknown key 'subjects[0].electrodez' (did you mean 'subjects[0].electrodes'?)\n");
  EXPECT_EQ(r.out, "");
}

TEST(Cli, MisspelledOverrideIsOneLineNamingTheOverride) {
  Result r = run("synth --config " + kTiny + " --output /tmp/never.h5 seeed=3");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "neuroscale: config error: command-line override 'seeed=3' (applied to " +
                       kTiny + "): unknown key 'seeed' (did you mean 'seed'?)\n");
}

TEST(Cli, WrongTypeAndOutOfRangeValues) {
  Result type = run("synth --config " + kTiny + " --output /tmp/never.h5 latent_dim=wide");
  EXPECT_EQ(type.code, 2);
  EXPECT_EQ(type.err,
            "neuroscale: config error: command-line override 'latent_dim=wide' (applied to " +
                kTiny + "): 'latent_dim' expects an integer, got 'wide'\n");
  const std::string config = write_config("range.yaml", "seed: 1\nval_fraction: 0.9\n");
  Result range = run("synth --config " + config + " --output /tmp/never.h5");
  EXPECT_EQ(range.code, 2);
  EXPECT_EQ(range.err, "neuroscale: config error: " + config +
                           ":2: 'val_fraction' = 0.9 is out of range (expected in [0, 0.5])\n");
  Result choice = run("synth --output /tmp/never.h5 subjects.1.species=cat");
  EXPECT_EQ(choice.code, 2);
  EXPECT_NE(choice.err.find(
                "'subjects[1].species' = 'cat' is not valid (expected one of: human, monkey)"),
            std::string::npos)
      << choice.err;
}

TEST(Cli, UsageErrorsAreClear) {
  Result command = run("pretrian");
  EXPECT_EQ(command.code, 2);
  EXPECT_EQ(count_lines(command.err), 1);
  EXPECT_NE(command.err.find("unknown command 'pretrian'"), std::string::npos);
  Result flag = run("synth --outptu x.h5");
  EXPECT_EQ(flag.code, 2);
  EXPECT_EQ(flag.err,
            "neuroscale: usage error: neuroscale synth: unknown option '--outptu' (did you mean "
            "'--output'?) (see 'neuroscale synth --help')\n");
  Result missing = run("synth");
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err,
            "neuroscale: usage error: neuroscale synth: missing required option --output FILE "
            "(see 'neuroscale synth --help')\n");
  Result action = run("corpus inof x.h5");
  EXPECT_EQ(action.code, 2);
  EXPECT_NE(action.err.find("unknown action 'inof' (did you mean 'info'?)"), std::string::npos);
}

TEST(Cli, HelpForEverySubcommandAndVersion) {
  Result top = run("--help");
  EXPECT_EQ(top.code, 0);
  for (const char* command : {"synth", "ingest", "corpus", "model", "pretrain", "finetune",
                              "evaluate", "ckpt", "sweep", "report"}) {
    EXPECT_NE(top.out.find(std::string("  ") + command), std::string::npos) << command;
    Result help = run(std::string(command) + " --help");
    EXPECT_EQ(help.code, 0) << command;
    EXPECT_NE(help.out.find(std::string("usage: neuroscale ") + command), std::string::npos)
        << help.out;
  }
  Result version = run("--version");
  EXPECT_EQ(version.code, 0);
  for (const char* text :
       {"neuroscale 0.", "git ", "LibTorch ", "MPI: Open MPI", "HDF5 1.", "(parallel)", "NCCL"}) {
    EXPECT_NE(version.out.find(text), std::string::npos) << text << " in\n" << version.out;
  }
}

TEST(Cli, DryRunPrintsResolvedConfigWithOverrides) {
  Result r = run("synth --config " + kTiny +
                 " --output /tmp/never.h5 --dry-run seed=77 subjects.0.sessions=5");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("seed: 77\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sessions: 5\n"), std::string::npos) << r.out;
  EXPECT_EQ(std::fopen("/tmp/never.h5", "r"), nullptr);
}

TEST(Cli, SynthThenInfoAndNoSilentOverwrite) {
  const std::string output = testing::TempDir() + "neuroscale_cli_corpus.h5";
  std::remove(output.c_str());
  Result synth = run("synth --config " + kTiny + " --output " + output);
  ASSERT_EQ(synth.code, 0) << synth.err;
  Result info = run("corpus info " + output);
  EXPECT_EQ(info.code, 0);
  EXPECT_NE(info.out.find("2 subjects, 4 sessions, 32 trials"), std::string::npos) << info.out;
  const std::string before = slurp(output);
  Result again = run("synth --config " + kTiny + " --output " + output + " seed=5");
  EXPECT_EQ(again.code, 3);
  EXPECT_NE(again.err.find("already exists (pass --force to replace it)"), std::string::npos)
      << again.err;
  EXPECT_EQ(slurp(output), before);
  Result forced = run("synth --config " + kTiny + " --output " + output + " --force seed=5");
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(slurp(output), before);
}

TEST(Cli, BadDataFileIsADataErrorNamingTheFile) {
  const std::string path = write_config("not_a_corpus.h5", "plain text\n");
  Result r = run("corpus info " + path);
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err,
            "neuroscale: data error: '" + path + "' does not exist or is not an HDF5 file\n");
}

}  // namespace

namespace {

TEST(Cli, RunDirectoryHoldsResolvedConfigEnvironmentAndRankLogs) {
  const std::string dir = testing::TempDir() + "neuroscale_cli_run";
  const std::string output = dir + "/corpus.h5";
  Result r = run("synth --config " + kTiny + " --output " + output + " --force --run-dir " + dir +
                 " seed=41");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string config = slurp(dir + "/config.yaml");
  EXPECT_NE(config.find("seed: 41\n"), std::string::npos) << config;
  EXPECT_NE(slurp(dir + "/environment.txt").find("LibTorch "), std::string::npos);
  EXPECT_NE(slurp(dir + "/logs/rank-00000.log")
                .find("[0/1] INFO synth [########################] 4/4 sessions"),
            std::string::npos);
  // The resolved config is a complete config: rerunning from it resolves identically.
  Result again = run("synth --config " + dir + "/config.yaml --output /tmp/never.h5 --dry-run");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, config);
}

TEST(Cli, ModelSummaryPrintsTheHandCountedTotal) {
  Result summary = run("model summary");
  EXPECT_EQ(summary.code, 0) << summary.err;
  EXPECT_NE(summary.out.find("total   8,891,008"), std::string::npos) << summary.out;
  Result bad = run("model summary --subject t15");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("NAME:CHANNELS"), std::string::npos) << bad.err;
}

TEST(Cli, PretrainRunsOnTheTinyCorpusAndWritesMetrics) {
  const std::string dir = testing::TempDir() + "neuroscale_cli_pretrain";
  std::system(("rm -rf " + dir + " " + dir + "-one").c_str());
  Result synth = run("synth --config " + kTiny + " --output " + dir + ".h5 --force");
  ASSERT_EQ(synth.code, 0) << synth.err;
  const std::string config = std::string(NEUROSCALE_SOURCE_DIR) + "/configs/pretrain/tiny.yaml";
  Result pretrain = run("pretrain --config " + config + " --run-dir " + dir +
                        " data.corpus=" + dir + ".h5 train.max_steps=10 train.log_every=5");
  ASSERT_EQ(pretrain.code, 0) << pretrain.err;
  EXPECT_NE(pretrain.err.find("step 10/10"), std::string::npos) << pretrain.err;
  const auto metrics = slurp(dir + "/metrics.jsonl");
  EXPECT_EQ(count_lines(metrics), 2) << metrics;
  for (const char* key :
       {"\"step\": 5", "\"loss\": ", "\"lr\": ", "\"samples_per_s\": ", "\"val_loss\": "}) {
    EXPECT_NE(metrics.find(key), std::string::npos) << key << " in " << metrics;
  }
  // Mixed precision: bf16 autocast (on the CPU here) with float32 master weights; and
  // data.fraction: a quarter of each subject's training trials (the scaling study's hours).
  Result bf16 = run("pretrain --config " + config + " data.corpus=" + dir +
                    ".h5 train.max_steps=6 train.precision=bf16 data.fraction=0.25");
  EXPECT_EQ(bf16.code, 0) << bf16.err;
  EXPECT_NE(bf16.err.find("step 6/6  loss "), std::string::npos) << bf16.err;
  const auto trials = [](const std::string& log) {
    const auto at = log.find("training on ");
    return at == std::string::npos ? -1L : std::stol(log.substr(at + 12));
  };
  const long all = trials(pretrain.err), quarter = trials(bf16.err);
  EXPECT_GT(all, 15) << pretrain.err;  // the tiny corpus: 22 training trials, 2 subjects
  EXPECT_GE(quarter, 2) << bf16.err;
  EXPECT_LE(quarter, all / 2) << bf16.err;
  EXPECT_NE(bf16.err.find("a fraction 0.25 of each subject's"), std::string::npos) << bf16.err;
  // A missing corpus is a data error naming the file; a bad key a config error.
  Result missing = run("pretrain --config " + config + " data.corpus=" + dir + "/nope.h5");
  EXPECT_EQ(missing.code, 3) << missing.err;
  EXPECT_NE(missing.err.find("nope.h5"), std::string::npos) << missing.err;
  Result typo = run("pretrain --config " + config + " train.max_step=3");
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("did you mean 'train.max_steps'"), std::string::npos) << typo.err;
  // data.subjects restricts training to named subjects; an unknown one names the corpus's.
  Result one = run("pretrain --config " + config + " --run-dir " + dir +
                   "-one --resume none data.corpus=" + dir +
                   ".h5 train.max_steps=6 train.log_every=3 'data.subjects=[monkey-a]'");
  EXPECT_EQ(one.code, 0) << one.err;
  EXPECT_NE(slurp(dir + "-one/config.yaml").find("subjects: [\"monkey-a\"]"), std::string::npos);
  Result unknown =
      run("pretrain --config " + config + " data.corpus=" + dir + ".h5 'data.subjects=[human-z]'");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("data.subjects: 'human-z' is not a subject of corpus '" + dir +
                             ".h5' (it has: human-a, monkey-a)"),
            std::string::npos)
      << unknown.err;
  // data.tasks likewise: an unknown task names the ones the corpus' sessions have.
  Result task =
      run("pretrain --config " + config + " data.corpus=" + dir + ".h5 'data.tasks=[speaking]'");
  EXPECT_EQ(task.code, 2);
  EXPECT_NE(task.err.find("data.tasks: 'speaking' is not a task of the sessions of corpus '" + dir +
                          ".h5' (it has: attempted_speech, reaching)"),
            std::string::npos)
      << task.err;
  // `report` summarises the runs: the full one and the one-subject one, which differ in
  // data.subjects and train.max_steps.
  Result report = run("report " + dir + " " + dir + "-one");
  EXPECT_EQ(report.code, 0) << report.err;
  EXPECT_EQ(count_lines(report.out), 3) << report.out;
  EXPECT_NE(report.out.find("config.data.subjects"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("\n" + dir + ",finished,10,10,1,"), std::string::npos) << report.out;
  Result no_runs = run("report " + dir + "/checkpoints/nothing");
  EXPECT_EQ(no_runs.code, 3);
  EXPECT_NE(no_runs.err.find("nothing' is not a directory"), std::string::npos) << no_runs.err;
}

// On a GPU: the NCCL backend and bf16 autocast with float32 master weights, end to end.
TEST_F(CudaTest, PretrainsOnTheGpuInBf16_CUDA) {
  const std::string dir = testing::TempDir() + "neuroscale_cli_pretrain_cuda";
  std::system(("rm -rf " + dir).c_str());
  Result synth = run("synth --config " + kTiny + " --output " + dir + ".h5 --force");
  ASSERT_EQ(synth.code, 0) << synth.err;
  const std::string config = std::string(NEUROSCALE_SOURCE_DIR) + "/configs/pretrain/tiny.yaml";
  Result pretrain =
      run("pretrain --config " + config + " --run-dir " + dir + " data.corpus=" + dir +
          ".h5 train.max_steps=6 train.log_every=3 train.device=cuda train.precision=bf16");
  ASSERT_EQ(pretrain.code, 0) << pretrain.err;
  EXPECT_NE(pretrain.err.find("(nccl)"), std::string::npos) << pretrain.err;
  EXPECT_NE(pretrain.err.find("step 6/6  loss "), std::string::npos) << pretrain.err;
  EXPECT_EQ(count_lines(slurp(dir + "/metrics.jsonl")), 2);
}

}  // namespace
