#include "control/live_instances.h"

namespace barge::control {

void DueTimes::Set(const std::string& id, Timestamp at) {
  Erase(id);
  at_.emplace(id, at);
  order_.emplace(at, id);
}

void DueTimes::Erase(const std::string& id) {
  auto it = at_.find(id);
  if (it == at_.end()) return;
  order_.erase({it->second, id});
  at_.erase(it);
}

std::vector<std::string> DueTimes::Due(Timestamp now) const {
  std::vector<std::string> due;
  for (const auto& [at, id] : order_) {
    if (at > now) break;
    due.push_back(id);
  }
  return due;
}

void DueTimes::Clear() {
  at_.clear();
  order_.clear();
}

const Instance* LiveInstances::Find(const std::string& id) const {
  auto it = by_id_.find(std::string_view(id));
  return it == by_id_.end() ? nullptr : it->second;
}

void LiveInstances::Put(Instance instance) {
  auto it = instances_.find(instance.id);
  if (it != instances_.end()) {
    Unindex(it->second);
    if (!instance.IsLive()) {
      by_id_.erase(std::string_view(it->first));
      instances_.erase(it);
      return;
    }
    it->second = std::move(instance);
  } else {
    if (!instance.IsLive()) return;
    it = instances_.emplace(instance.id, std::move(instance)).first;
    by_id_.emplace(it->first, &it->second);
  }
  const Instance& kept = it->second;
  if (kept.state == InstanceState::kLaunching) launching_.insert(kept.id);
  if (kept.reclaim_at) reclaims_.Set(kept.id, *kept.reclaim_at);
  Totals& totals = by_environment_[kept.compute_environment];
  totals.vcpus += kept.type.vcpus;
  ++totals.instances;
}

void LiveInstances::Clear() {
  by_id_.clear();
  instances_.clear();
  launching_.clear();
  reclaims_.Clear();
  by_environment_.clear();
}

int32_t LiveInstances::VcpusOf(const std::string& environment) const {
  auto it = by_environment_.find(environment);
  return it == by_environment_.end() ? 0 : it->second.vcpus;
}

void LiveInstances::Unindex(const Instance& instance) {
  launching_.erase(instance.id);
  reclaims_.Erase(instance.id);
  auto totals = by_environment_.find(instance.compute_environment);
  if (totals == by_environment_.end()) return;
  totals->second.vcpus -= instance.type.vcpus;
  if (--totals->second.instances == 0) by_environment_.erase(totals);
}

}  // namespace barge::control
