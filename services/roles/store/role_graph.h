// The role inheritance graph in memory, for the checks a change must pass before it is written:
// no cycle, no chain longer than kMaxChainLength. RoleStore loads it inside the transaction that
// changes edges, under the graph lock, so the check sees every committed edge.
//
//   RoleGraph graph;
//   graph.AddRole(a, "a"); graph.AddRole(b, "b");
//   graph.SetParents(a, {b});
//   graph.SetParents(b, {a});
//   graph.FindCycleThrough(b);  // {"b", "a", "b"}
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace backoffice::roles {

/// Child -> parents edges between roles known by id. Not thread-safe (one per check).
class RoleGraph final {
 public:
  /// Registers a role and its name (used in cycle messages).
  void AddRole(const std::string& id, const std::string& name);
  /// Adds the edge child -> parent (child inherits from parent).
  void AddEdge(const std::string& child, const std::string& parent);
  /// Replaces the parents of `child`.
  void SetParents(const std::string& child, std::vector<std::string> parents);

  /// A cycle through `role` as role names, first and last equal ("a", "b", "a"), or nullopt.
  std::optional<std::vector<std::string>> FindCycleThrough(const std::string& role) const;

  /// The number of roles on the longest child -> parent chain through `role` (1 for a role with
  /// neither parents nor children). The graph must be acyclic.
  int LongestChainThrough(const std::string& role) const;

 private:
  bool Walk(const std::string& from, const std::string& target,
            absl::flat_hash_map<std::string, bool>& seen, std::vector<std::string>& path) const;
  int Height(const std::string& role, bool upwards,
             absl::flat_hash_map<std::string, int>& memo) const;

  absl::flat_hash_map<std::string, std::string> names_;
  absl::flat_hash_map<std::string, std::vector<std::string>> parents_;
  absl::flat_hash_map<std::string, std::vector<std::string>> children_;
};

/// "a -> b -> a".
std::string FormatCycle(const std::vector<std::string>& names);

}  // namespace backoffice::roles
