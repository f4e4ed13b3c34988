#include "services/roles/store/role_graph.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_join.h"

namespace backoffice::roles {

void RoleGraph::AddRole(const std::string& id, const std::string& name) { names_[id] = name; }

void RoleGraph::AddEdge(const std::string& child, const std::string& parent) {
  parents_[child].push_back(parent);
  children_[parent].push_back(child);
}

void RoleGraph::SetParents(const std::string& child, std::vector<std::string> parents) {
  for (const std::string& old : parents_[child]) {
    std::vector<std::string>& siblings = children_[old];
    siblings.erase(std::remove(siblings.begin(), siblings.end(), child), siblings.end());
  }
  for (const std::string& parent : parents) {
    children_[parent].push_back(child);
  }
  parents_[child] = std::move(parents);
}

bool RoleGraph::Walk(const std::string& from, const std::string& target,
                     absl::flat_hash_map<std::string, bool>& seen,
                     std::vector<std::string>& path) const {
  auto it = parents_.find(from);
  if (it == parents_.end()) {
    return false;
  }
  for (const std::string& parent : it->second) {
    path.push_back(parent);
    if (parent == target) {
      return true;
    }
    if (!seen[parent]) {
      seen[parent] = true;
      if (Walk(parent, target, seen, path)) {
        return true;
      }
    }
    path.pop_back();
  }
  return false;
}

std::optional<std::vector<std::string>> RoleGraph::FindCycleThrough(const std::string& role) const {
  absl::flat_hash_map<std::string, bool> seen;
  std::vector<std::string> path = {role};
  if (!Walk(role, role, seen, path)) {
    return std::nullopt;
  }
  std::vector<std::string> names;
  names.reserve(path.size());
  for (const std::string& id : path) {
    auto name = names_.find(id);
    names.push_back(name != names_.end() ? name->second : id);
  }
  return names;
}

int RoleGraph::Height(const std::string& role, bool upwards,
                      absl::flat_hash_map<std::string, int>& memo) const {
  if (auto it = memo.find(role); it != memo.end()) {
    return it->second;
  }
  const auto& edges = upwards ? parents_ : children_;
  int best = 1;
  if (auto it = edges.find(role); it != edges.end()) {
    for (const std::string& next : it->second) {
      best = std::max(best, 1 + Height(next, upwards, memo));
    }
  }
  memo[role] = best;
  return best;
}

int RoleGraph::LongestChainThrough(const std::string& role) const {
  absl::flat_hash_map<std::string, int> up;
  absl::flat_hash_map<std::string, int> down;
  return Height(role, true, up) + Height(role, false, down) - 1;
}

std::string FormatCycle(const std::vector<std::string>& names) {
  return absl::StrJoin(names, " -> ");
}

}  // namespace backoffice::roles
