#include "distributed/fmri_data.h"

#include "distributed/fmri_source.h"

namespace neuroscale::distributed {

std::vector<io::TrStory> plan_stories(const io::FmriIndex& index,
                                      const std::vector<std::string>& stories,
                                      const std::vector<std::string>& participants) {
  std::vector<io::TrStory> plan;
  for (const auto& name : stories) {
    io::TrStory story{name, index.story(name).rows(), {}};
    for (std::size_t p = 0; p < participants.size(); ++p) {
      if (index.participant(participants[p]).has_story(name))
        story.participants.push_back(static_cast<std::int32_t>(p));
    }
    plan.push_back(std::move(story));
  }
  return plan;
}

FmriTrainingData::FmriTrainingData(const io::FmriReader& reader,
                                   std::vector<std::string> participants, io::TrBatchPlan train,
                                   std::optional<io::TrBatchPlan> val, double window_s)
    : reader_(reader),
      participants_(std::move(participants)),
      train_(std::move(train)),
      val_(std::move(val)),
      window_s_(window_s) {}

std::unique_ptr<ResumableSource> FmriTrainingData::train(io::SamplerPosition start, int rank,
                                                         int world_size, int accumulate) {
  return std::make_unique<FmriSource>(reader_, train_, participants_, start, rank, world_size,
                                      accumulate, FmriSourceOptions{window_s_, true});
}

ValidationSource FmriTrainingData::validation(int rank, int world_size) {
  if (!val_) return {};
  return [this, rank, world_size] {
    return std::make_unique<FmriSource>(reader_, *val_, participants_, io::SamplerPosition{}, rank,
                                        world_size, 1, FmriSourceOptions{window_s_, false});
  };
}

}  // namespace neuroscale::distributed
