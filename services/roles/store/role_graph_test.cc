#include "services/roles/store/role_graph.h"

#include <catch2/catch.hpp>

namespace backoffice::roles {
namespace {

RoleGraph Chain(int length) {
  RoleGraph graph;
  for (int i = 0; i < length; ++i) graph.AddRole(std::to_string(i), "r" + std::to_string(i));
  for (int i = 0; i + 1 < length; ++i) graph.AddEdge(std::to_string(i), std::to_string(i + 1));
  return graph;
}

TEST_CASE("a cycle is found and named from the changed role back to it") {
  RoleGraph graph = Chain(3);  // r0 -> r1 -> r2
  CHECK_FALSE(graph.FindCycleThrough("2").has_value());
  graph.SetParents("2", {"0"});
  std::optional<std::vector<std::string>> cycle = graph.FindCycleThrough("2");
  REQUIRE(cycle.has_value());
  CHECK(FormatCycle(*cycle) == "r2 -> r0 -> r1 -> r2");
}

TEST_CASE("a diamond is not a cycle") {
  RoleGraph graph;
  for (const char* id : {"top", "left", "right", "bottom"}) graph.AddRole(id, id);
  graph.SetParents("left", {"top"});
  graph.SetParents("right", {"top"});
  graph.SetParents("bottom", {"left", "right"});
  for (const char* id : {"top", "left", "right", "bottom"}) {
    CHECK_FALSE(graph.FindCycleThrough(id).has_value());
  }
  CHECK(graph.LongestChainThrough("left") == 3);
  CHECK(graph.LongestChainThrough("top") == 3);
}

TEST_CASE("a self edge is a cycle of one role") {
  RoleGraph graph;
  graph.AddRole("a", "a");
  graph.SetParents("a", {"a"});
  REQUIRE(graph.FindCycleThrough("a").has_value());
  CHECK(FormatCycle(*graph.FindCycleThrough("a")) == "a -> a");
}

TEST_CASE("the longest chain counts roles above and below") {
  RoleGraph graph = Chain(9);
  CHECK(graph.LongestChainThrough("4") == 9);
  CHECK(graph.LongestChainThrough("0") == 9);
  graph.SetParents("3", {});
  CHECK(graph.LongestChainThrough("0") == 4);
  CHECK(graph.LongestChainThrough("8") == 5);
}

TEST_CASE("replacing parents drops the old child links") {
  RoleGraph graph = Chain(3);
  graph.SetParents("0", {"2"});
  CHECK(graph.LongestChainThrough("1") == 2);
}

}  // namespace
}  // namespace backoffice::roles
