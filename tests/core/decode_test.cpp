// Phoneme tables, error rates, greedy CTC decoding, the n-gram model and the lexicon-
// constrained beam search, against hand-computed values and (for the beam search) an
// exhaustive enumeration of every alignment.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "core/check.h"
#include "core/decode/ctc_decode.h"
#include "core/decode/ctc_score.h"
#include "core/decode/error_rates.h"
#include "core/decode/phonemes.h"
#include "core/decode/rescoring.h"
#include "core/decode/sentence_phonemes.h"
#include "core/decode/trial_decoding.h"

namespace neuroscale::decode {
namespace {

TEST(Phonemes, FollowTheBenchmarkLayout) {
  EXPECT_EQ(phoneme_symbols().size(), 41u);
  EXPECT_EQ(phoneme_id("AA"), 1);
  EXPECT_EQ(phoneme_id("ah0"), 3);  // stress dropped, any case
  EXPECT_EQ(phoneme_id("ZH"), 39);
  EXPECT_EQ(phoneme_id("SIL"), kSilence);
  EXPECT_EQ(phoneme_id("|"), kSilence);
  EXPECT_EQ(phoneme_id("BLANK"), -1);
  EXPECT_EQ(phoneme_id("XX"), -1);
  EXPECT_EQ(phoneme_string({16, 3, 21, 25, 40}), "HH AH L OW SIL");
}

TEST(ErrorRates, EditDistanceAndSummedRates) {
  EXPECT_EQ(token_edit_distance<int>({1, 2, 3}, {1, 3}), 1);
  EXPECT_EQ(token_edit_distance<int>({}, {4, 5}), 2);
  const std::vector<std::string> kitten = {"k", "i", "t", "t", "e", "n"},
                                 sitting = {"s", "i", "t", "t", "i", "n", "g"};
  EXPECT_EQ(token_edit_distance(kitten, sitting), 3);
  ErrorCounts per;
  per.add_phonemes({1, 2, 40}, {1, 3, 40});      // 1 edit / 3
  per.add_phonemes({5, 6, 7}, {5, 6, 7, 8, 9});  // 2 edits / 5
  EXPECT_EQ(per.edits, 3);
  EXPECT_EQ(per.reference, 8);
  EXPECT_DOUBLE_EQ(per.rate(), 3.0 / 8.0);  // a ratio of sums, not the mean of 1/3 and 2/5
}

TEST(ErrorRates, TranscriptsAreNormalisedAsTheBenchmarkDoes) {
  // Expected strings from the benchmark's own remove_punctuation (Python).
  EXPECT_EQ(normalize_transcript("Hello, World! It's a well-known -- fact - yes."),
            "hello world it's a well-known - fact yes");
  EXPECT_EQ(normalize_transcript("  I 'm  OK--really 42 times-  "), "i'm okreally times");
  EXPECT_EQ(normalize_transcript("Don't\xE2\x80\x94stop \xC3\xA9!"), "don'tstop");
  ErrorCounts wer;
  wer.add_words("the cat sat", "The cat sat on the mat.");  // 3 deletions / 6
  wer.add_words("a dog", "A DOG!");                         // 0 / 2
  EXPECT_EQ(wer.edits, 3);
  EXPECT_EQ(wer.reference, 8);
}

// Log-softmax rows from logits.
std::vector<float> log_softmax(const std::vector<std::vector<double>>& logits) {
  std::vector<float> out;
  for (const auto& row : logits) {
    double high = -1e300, sum = 0;
    for (double v : row) high = std::max(high, v);
    for (double v : row) sum += std::exp(v - high);
    for (double v : row) out.push_back(static_cast<float>(v - high - std::log(sum)));
  }
  return out;
}

std::vector<double> one_hot(int label, double strength = 8.0) {
  std::vector<double> row(kClasses, 0.0);
  row[static_cast<std::size_t>(label)] = strength;
  return row;
}

TEST(CtcDecode, GreedyCollapsesRepeatsAndDropsBlanks) {
  // Frames: AA AA blank AA AE AE SIL blank  ->  AA AA AE SIL
  const auto lp = log_softmax({one_hot(1), one_hot(1), one_hot(0), one_hot(1), one_hot(2),
                               one_hot(2), one_hot(40), one_hot(0)});
  EXPECT_EQ(greedy_decode(lp.data(), 8, kClasses), (std::vector<int>{1, 1, 2, 40}));
}

TEST(NgramLm, BacksOffAsTheArpaFormatDefines) {
  NgramLm lm(2);
  const int s = lm.intern("<s>"), e = lm.intern("</s>"), a = lm.intern("a"), b = lm.intern("b");
  lm.add({s}, -99, -0.5);
  lm.add({e}, -1.0, 0);
  lm.add({a}, -0.7, -0.3);
  lm.add({b}, -0.9, -0.2);
  lm.add({s, a}, -0.1, 0);
  lm.add({a, b}, -0.2, 0);
  const double ln10 = std::log(10.0);
  EXPECT_NEAR(lm.log_prob({s}, a), -0.1 * ln10, 1e-12);  // listed bigram
  EXPECT_NEAR(lm.log_prob({a}, b), -0.2 * ln10, 1e-12);
  EXPECT_NEAR(lm.log_prob({b}, a), (-0.2 - 0.7) * ln10, 1e-12);  // backoff(b) + p(a)
  EXPECT_NEAR(lm.log_prob({s}, b), (-0.5 - 0.9) * ln10, 1e-12);  // backoff(<s>) + p(b)
  EXPECT_NEAR(lm.log_prob({s, a}, b), -0.2 * ln10, 1e-12);       // only the last word counts
  EXPECT_NEAR(lm.log_prob({a}, -1), -23.0, 1e-12);  // unknown word, no <unk>: flat score
}

// A small world: phonemes AA(1) AE(2) AH(3); words built from them, two homophones.
struct World {
  Lexicon lexicon;
  NgramLm lm{2};
  World() {
    lexicon.add("aa", {1});
    lexicon.add("ab", {1, 2});
    lexicon.add("ba", {2, 1});
    lexicon.add("c", {3});
    lexicon.add("see", {3});  // homophone of "c"
    for (const char* w : {"<s>", "</s>", "aa", "ab", "ba", "c", "see"}) lm.intern(w);
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> prob(-2.0, -0.1), backoff(-1.0, 0.0);
    for (int w = 0; w < 7; ++w) lm.add({w}, w == 0 ? -99.0 : prob(rng), backoff(rng));
    for (int h = 0; h < 7; ++h) {
      for (int w = 1; w < 7; ++w) {
        if ((h + w) % 3 == 0) lm.add({h, w}, prob(rng), 0.0);
      }
    }
  }
};

// Every word sequence (with its label sequence) that a label sequence parses into:
// each word's phonemes then SIL, the last SIL optional.
void parses(const World& world, const std::vector<int>& labels, std::size_t at,
            std::vector<std::string> words, std::vector<std::vector<std::string>>& out) {
  if (at == labels.size()) {
    out.push_back(words);
    return;
  }
  int node = world.lexicon.root();
  for (std::size_t i = at; i < labels.size() && labels[i] != kSilence; ++i) {
    node = world.lexicon.child(node, labels[i]);
    if (node < 0) return;
    const bool boundary = i + 1 == labels.size() || labels[i + 1] == kSilence;
    if (!boundary) continue;
    for (int w : world.lexicon.words_at(node)) {
      auto more = words;
      more.push_back(world.lexicon.word(w));
      parses(world, labels, i + 1 == labels.size() ? i + 1 : i + 2, more, out);
    }
  }
}

TEST(CtcDecode, BeamSearchWithAnUnboundedBeamIsTheExactOptimum) {
  const World world;
  const std::vector<int> classes = {0, 1, 2, 3,
                                    40};  // the only ones with non-negligible probability
  int with_words = 0;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 2.0);
    const int frames = 7;
    std::vector<std::vector<double>> logits(frames, std::vector<double>(kClasses, -40.0));
    for (auto& row : logits) {
      for (int c : classes) row[static_cast<std::size_t>(c)] = noise(rng);
    }
    const auto lp = log_softmax(logits);
    BeamSearchOptions options;
    options.beam = 100000;
    options.lm_weight = 0.8;
    options.word_bonus = 0.3;
    options.blank_penalty = 2.0;

    // Enumerate all 5^7 alignments: exact ln P(labels), then the best parse of each.
    std::map<std::vector<int>, double> label_prob;
    std::vector<int> align(frames, 0);
    std::function<void(int, double)> walk = [&](int t, double lp_sum) {
      if (t == frames) {
        std::vector<int> labels;
        int previous = kBlank;
        for (int c : align) {
          if (c != kBlank && c != previous) labels.push_back(c);
          previous = c;
        }
        auto [it, fresh] = label_prob.emplace(labels, lp_sum);
        if (!fresh)
          it->second =
              std::max(it->second, lp_sum) + std::log1p(std::exp(-std::abs(it->second - lp_sum)));
        return;
      }
      for (int c : classes) {
        align[static_cast<std::size_t>(t)] = c;
        const double shift = c == kBlank ? std::log(options.blank_penalty) : 0.0;
        walk(t + 1, lp_sum + lp[static_cast<std::size_t>(t * kClasses + c)] - shift);
      }
    };
    walk(0, 0.0);
    double best = -1e300;
    std::vector<std::string> best_words;
    // The best score of each word sequence, with its acoustic and unweighted n-gram parts.
    struct Parts {
      double score = -1e300, acoustic = 0.0, ngram = 0.0;
    };
    std::map<std::vector<std::string>, Parts> by_words;
    for (const auto& [labels, prob] : label_prob) {
      if (!labels.empty() && labels.front() == kSilence) continue;  // words come first
      std::vector<std::vector<std::string>> word_sequences;
      parses(world, labels, 0, {}, word_sequences);
      for (const auto& words : word_sequences) {
        std::vector<int> history = {world.lm.begin_id()};
        double ngram = 0.0;
        for (const auto& w : words) {
          ngram += world.lm.log_prob(history, world.lm.find(w));
          history = {world.lm.find(w)};
        }
        ngram += world.lm.log_prob(history, world.lm.end_id());
        const double score = prob + options.lm_weight * ngram +
                             options.word_bonus * static_cast<double>(words.size());
        if (score > best) best = score, best_words = words;
        auto& parts = by_words[words];
        if (score > parts.score) parts = Parts{score, prob, ngram};
      }
    }
    const auto hypothesis =
        beam_search(lp.data(), frames, kClasses, world.lexicon, &world.lm, options);
    EXPECT_NEAR(hypothesis.score, best, 1e-6) << "seed " << seed;
    EXPECT_EQ(hypothesis.words, best_words) << "seed " << seed;
    with_words += !best_words.empty();
    // The n-best list: the 5 best distinct word sequences, each with its score's parts.
    std::vector<std::pair<double, std::vector<std::string>>> ranked;
    for (const auto& [words, parts] : by_words) ranked.emplace_back(parts.score, words);
    std::sort(ranked.begin(), ranked.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    const auto nbest =
        beam_search_nbest(lp.data(), frames, kClasses, world.lexicon, &world.lm, options, 5);
    ASSERT_EQ(nbest.size(), std::min<std::size_t>(5, ranked.size())) << "seed " << seed;
    for (std::size_t i = 0; i < nbest.size(); ++i) {
      const auto& parts = by_words[nbest[i].words];
      EXPECT_NEAR(nbest[i].score, ranked[i].first, 1e-6) << "seed " << seed << ", rank " << i;
      EXPECT_NEAR(nbest[i].acoustic, parts.acoustic, 1e-6) << "seed " << seed << ", rank " << i;
      EXPECT_NEAR(nbest[i].ngram, parts.ngram, 1e-6) << "seed " << seed << ", rank " << i;
    }
  }
  EXPECT_GE(with_words, 4) << "most cases must decode words, not the empty sentence";
}

TEST(CtcDecode, TheLexiconAndTheLanguageModelCorrectTheAcousticBest) {
  World world;
  // Greedy reads AA AH SIL: no word spells "AA AH". The lexicon forces a real word.
  const auto lp = log_softmax({one_hot(1), one_hot(0), one_hot(3, 3.0), one_hot(40)});
  EXPECT_EQ(greedy_decode(lp.data(), 4, kClasses), (std::vector<int>{1, 3, 40}));
  BeamSearchOptions options;
  options.lm_weight = 0.0;
  const auto without_lm = beam_search(lp.data(), 4, kClasses, world.lexicon, nullptr, options);
  ASSERT_FALSE(without_lm.words.empty());
  for (const auto& w : without_lm.words)
    EXPECT_TRUE(w == "aa" || w == "c" || w == "see" || w == "ab" || w == "ba");
  // Homophones: the language model alone picks between "c" and "see".
  const auto c_only = log_softmax({one_hot(3), one_hot(40)});
  options.lm_weight = 1.0;
  const auto pick = beam_search(c_only.data(), 2, kClasses, world.lexicon, &world.lm, options);
  const int s = world.lm.begin_id();
  const bool see_wins = world.lm.log_prob({s}, world.lm.find("see")) +
                            world.lm.log_prob({world.lm.find("see")}, world.lm.end_id()) >
                        world.lm.log_prob({s}, world.lm.find("c")) +
                            world.lm.log_prob({world.lm.find("c")}, world.lm.end_id());
  EXPECT_EQ(pick.text(), see_wins ? "see" : "c");
  EXPECT_EQ(pick.phonemes, (std::vector<int>{3, 40}));
}

TEST(TrialDecoding, ScoresTheDecodedTrialAgainstItsReferences) {
  World world;
  // Greedy: AA AH SIL against the reference AA AE AH SIL: one deletion in 4 phonemes.
  const auto lp = log_softmax({one_hot(1), one_hot(0), one_hot(3, 3.0), one_hot(40)});
  const auto greedy = decode_trial(lp.data(), 4, {1, 2, 3, 40}, "see", TrialDecoder{});
  EXPECT_EQ(greedy.phonemes, (std::vector<int>{1, 3, 40}));
  EXPECT_EQ(greedy.phoneme_errors.edits, 1);
  EXPECT_EQ(greedy.phoneme_errors.reference, 4);
  EXPECT_TRUE(greedy.text.empty());
  EXPECT_EQ(greedy.word_errors.reference, 0);  // greedy decoding has no words to score
  // Beam search over the lexicon: the words and their phonemes, scored against both.
  TrialDecoder beam;
  beam.lexicon = &world.lexicon;
  beam.lm = &world.lm;
  const auto c_only = log_softmax({one_hot(3), one_hot(40)});
  const auto decoded = decode_trial(c_only.data(), 2, {3, 40}, "c", beam);
  const auto expected =
      beam_search(c_only.data(), 2, kClasses, world.lexicon, &world.lm, beam.beam);
  EXPECT_EQ(decoded.text, expected.text());
  EXPECT_EQ(decoded.phoneme_errors.edits, 0);
  EXPECT_EQ(decoded.word_errors.reference, 1);
  EXPECT_EQ(decoded.word_errors.edits, expected.text() == "c" ? 0 : 1);
  // No reference: nothing scored.
  const auto unlabelled = decode_trial(c_only.data(), 2, {}, "", beam);
  EXPECT_EQ(unlabelled.phoneme_errors.reference, 0);
  EXPECT_EQ(unlabelled.word_errors.reference, 0);
  // An LLM that prefers the homophone the n-gram ranks second overturns the beam's choice;
  // it sees the n-best texts, best first.
  const std::string other = expected.text() == "c" ? "see" : "c";
  std::vector<std::string> seen;
  beam.llm = [&](const std::vector<std::string>& texts) {
    seen = texts;
    std::vector<LlmScore> scores;
    for (const auto& t : texts) scores.push_back({t == other ? -1.0 : -30.0, 1});
    return scores;
  };
  beam.rescore.nbest = 5;
  const auto rescored = decode_trial(c_only.data(), 2, {3, 40}, other, beam);
  EXPECT_EQ(rescored.text, other);
  EXPECT_EQ(rescored.word_errors.edits, 0);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front(), expected.text());
  // Without an LLM weight (alpha 0) the n-gram's choice stands.
  beam.rescore.alpha = 0.0;
  EXPECT_EQ(decode_trial(c_only.data(), 2, {3, 40}, other, beam).text, expected.text());
}

TEST(CtcDecode, RefusesInvalidOptions) {
  const World world;
  const auto lp = log_softmax({one_hot(1)});
  BeamSearchOptions options;
  options.beam = 0;
  EXPECT_THROW(beam_search(lp.data(), 1, kClasses, world.lexicon, nullptr, options), ConfigError);
  options.beam = 4;
  options.blank_penalty = 0;
  EXPECT_THROW(beam_search(lp.data(), 1, kClasses, world.lexicon, nullptr, options), ConfigError);
  EXPECT_THROW(beam_search(lp.data(), 1, 40, world.lexicon, nullptr, BeamSearchOptions{}),
               ConfigError);
}

TEST(SentencePhonemes, CleanLookUpAndEndEveryWordWithSil) {
  EXPECT_EQ(clean_for_pronunciation("Hello, there--you 'all' 42 well-known!"),
            "hello thereyou 'all'  well-known");
  Lexicon lexicon;
  lexicon.add("hello", {16, 3, 21, 25});   // HH AH L OW
  lexicon.add("hello", {16, 11, 21, 25});  // a second pronunciation: the first is used
  lexicon.add("there", {10, 11, 28});      // DH EH R
  const auto known = sentence_phonemes("Hello, there!", lexicon);
  EXPECT_EQ(known.labels, (std::vector<int>{16, 3, 21, 25, 40, 10, 11, 28, 40}));
  EXPECT_TRUE(known.unknown.empty());
  const auto partly = sentence_phonemes("It's there, good", lexicon);
  EXPECT_EQ(partly.unknown, (std::vector<std::string>{"it's", "good"}));
  EXPECT_EQ(partly.labels, (std::vector<int>{10, 11, 28, 40}));
  ASSERT_NE(lexicon.pronunciation("hello"), nullptr);
  EXPECT_EQ(*lexicon.pronunciation("hello"), (std::vector<int>{16, 3, 21, 25}));
  EXPECT_EQ(lexicon.pronunciation("nowhere"), nullptr);
}

TEST(CtcScore, IsTheLogOfTheSummedProbabilityOfEveryAlignment) {
  // Every alignment of 5 frames over 4 classes, enumerated: ln P(labels) for each label
  // sequence they spell.
  const int frames = 5, classes = 4;
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0.0, 1.5);
  std::vector<std::vector<double>> logits(frames, std::vector<double>(classes));
  for (auto& row : logits)
    for (auto& v : row) v = noise(rng);
  std::vector<double> lp;
  for (const auto& row : logits) {
    double norm = 0.0;
    for (double v : row) norm += std::exp(v);
    for (double v : row) lp.push_back(v - std::log(norm));
  }
  std::map<std::vector<int>, double> probability;
  std::vector<int> align(frames, 0);
  std::function<void(int, double)> walk = [&](int t, double sum) {
    if (t == frames) {
      std::vector<int> labels;
      int previous = kBlank;
      for (int c : align) {
        if (c != kBlank && c != previous) labels.push_back(c);
        previous = c;
      }
      probability[labels] += std::exp(sum);
      return;
    }
    for (int c = 0; c < classes; ++c) {
      align[static_cast<std::size_t>(t)] = c;
      walk(t + 1, sum + lp[static_cast<std::size_t>(t * classes + c)]);
    }
  };
  walk(0, 0.0);
  const std::vector<std::vector<int>> queries = {{},        {1},       {1, 1},
                                                 {1, 2, 3}, {3, 3, 3}, {2, 1, 2, 1}};
  const auto log_probs = at::tensor(lp, at::kDouble).reshape({frames, classes}).to(at::kFloat);
  const auto scores = ctc_log_likelihoods(log_probs, queries);
  ASSERT_EQ(scores.size(), queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i)
    EXPECT_NEAR(scores[i], std::log(probability.at(queries[i])), 1e-5) << "query " << i;
  // 1 1 1 1 needs 7 frames (blanks between repeats): no alignment of 5 spells it.
  EXPECT_TRUE(std::isinf(ctc_log_likelihoods(log_probs, {{1, 1, 1, 1}})[0]));
  EXPECT_THROW(ctc_log_likelihoods(log_probs, {{4}}), std::invalid_argument);
  EXPECT_THROW(ctc_log_likelihoods(log_probs, {{0}}), std::invalid_argument);
}

TEST(Rescoring, CombinesTheLlmNgramAndAcousticScoresAsTheBaselinesDo) {
  std::vector<Hypothesis> nbest(3);
  nbest[0].acoustic = -10.0, nbest[0].ngram = -6.0;
  nbest[1].acoustic = -11.0, nbest[1].ngram = -5.0;
  nbest[2].acoustic = -9.0, nbest[2].ngram = -8.0;
  const std::vector<LlmScore> llm = {{-12.0, 4}, {-9.0, 3}, {-15.0, 5}};
  RescoreOptions options;  // alpha 0.5, acoustic_scale 0.5, length_penalty 0
  // By hand: 0.5 * llm + 0.5 * ngram + 0.5 * acoustic.
  EXPECT_EQ(rescore(nbest, llm, options), (std::vector<double>{-14.0, -12.5, -16.0}));
  options.length_penalty = 1.0;  // 0.5 * (llm - tokens) + ...
  EXPECT_EQ(rescore(nbest, llm, options), (std::vector<double>{-16.0, -14.0, -18.5}));
  EXPECT_EQ(best_index(rescore(nbest, llm, options)), 1u);
  // The LLM alone, with a per-token bonus that favours the longest candidate.
  options.alpha = 1.0, options.acoustic_scale = 0.0, options.length_penalty = -4.0;
  EXPECT_EQ(rescore(nbest, llm, options), (std::vector<double>{4.0, 3.0, 5.0}));
  EXPECT_EQ(best_index(rescore(nbest, llm, options)), 2u);
  // The n-gram and acoustic scores alone: a tie goes to the first (the beam's better one).
  options.alpha = 0.0, options.acoustic_scale = 1.0;
  EXPECT_EQ(best_index(rescore(nbest, llm, options)), 0u);
  options.alpha = 1.5;
  EXPECT_THROW(options.validate("decode.rescore."), ConfigError);
  EXPECT_THROW(rescore(nbest, {llm[0]}, RescoreOptions{}), std::exception);
}

}  // namespace
}  // namespace neuroscale::decode
