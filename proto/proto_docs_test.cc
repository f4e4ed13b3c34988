// Lints the v1 contracts from their source (a descriptor set built with comments): every message,
// field, oneof, enum, enum value, service and rpc in proto/ carries a leading comment, and every
// enum's first value is *_UNSPECIFIED = 0.

#include <google/protobuf/descriptor.pb.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

using google::protobuf::DescriptorProto;
using google::protobuf::EnumDescriptorProto;
using google::protobuf::FileDescriptorProto;

// Field numbers of descriptor.proto used to build SourceCodeInfo paths.
constexpr int kFileMessage = 4, kFileEnum = 5, kFileService = 6;
constexpr int kMessageField = 2, kMessageNested = 3, kMessageEnum = 4, kMessageOneof = 8;
constexpr int kEnumValue = 2, kServiceMethod = 2;

using Path = std::vector<int>;

// Collects the names of declarations in one file that lack a leading comment.
class Linter {
 public:
  explicit Linter(const FileDescriptorProto& file) : file_(file) {
    for (const auto& location : file.source_code_info().location()) {
      if (!location.leading_comments().empty()) {
        documented_.insert(Path(location.path().begin(), location.path().end()));
      }
    }
  }

  std::vector<std::string> Run() {
    for (int i = 0; i < file_.message_type_size(); ++i) {
      Message(file_.message_type(i), {kFileMessage, i});
    }
    for (int i = 0; i < file_.enum_type_size(); ++i) Enum(file_.enum_type(i), {kFileEnum, i});
    for (int i = 0; i < file_.service_size(); ++i) {
      const auto& service = file_.service(i);
      Need({kFileService, i}, service.name());
      for (int j = 0; j < service.method_size(); ++j) {
        Need({kFileService, i, kServiceMethod, j}, service.name() + "." + service.method(j).name());
      }
    }
    return problems_;
  }

 private:
  void Need(const Path& path, const std::string& what) {
    if (!documented_.contains(path)) problems_.push_back(file_.name() + ": no comment on " + what);
  }

  static Path Child(Path path, int kind, int index) {
    path.push_back(kind);
    path.push_back(index);
    return path;
  }

  void Message(const DescriptorProto& message, const Path& path) {
    Need(path, message.name());
    for (int i = 0; i < message.field_size(); ++i) {
      Need(Child(path, kMessageField, i), message.name() + "." + message.field(i).name());
    }
    for (int i = 0; i < message.oneof_decl_size(); ++i) {
      // proto3 `optional` makes a synthetic oneof named `_<field>`; it has no source of its own.
      if (message.oneof_decl(i).name().starts_with("_")) continue;
      Need(Child(path, kMessageOneof, i),
           message.name() + " oneof " + message.oneof_decl(i).name());
    }
    for (int i = 0; i < message.nested_type_size(); ++i) {
      if (message.nested_type(i).options().map_entry()) continue;
      Message(message.nested_type(i), Child(path, kMessageNested, i));
    }
    for (int i = 0; i < message.enum_type_size(); ++i) {
      Enum(message.enum_type(i), Child(path, kMessageEnum, i));
    }
  }

  void Enum(const EnumDescriptorProto& e, const Path& path) {
    Need(path, e.name());
    if (e.value_size() == 0 || e.value(0).number() != 0 ||
        !e.value(0).name().ends_with("_UNSPECIFIED")) {
      problems_.push_back(file_.name() + ": enum " + e.name() +
                          " does not start with *_UNSPECIFIED = 0");
    }
    for (int i = 0; i < e.value_size(); ++i) {
      Need(Child(path, kEnumValue, i), e.name() + "." + e.value(i).name());
    }
  }

  const FileDescriptorProto& file_;
  std::set<Path> documented_;
  std::vector<std::string> problems_;
};

}  // namespace

TEST_CASE("every v1 declaration is documented") {
  std::ifstream in("proto/v1_descriptor_set.pb", std::ios::binary);
  REQUIRE(in.good());
  google::protobuf::FileDescriptorSet set;
  REQUIRE(set.ParseFromIstream(&in));

  std::set<std::string> linted;
  std::vector<std::string> problems;
  for (const FileDescriptorProto& file : set.file()) {
    if (!file.name().starts_with("proto/")) continue;  // skip google/protobuf imports
    linted.insert(file.name());
    REQUIRE(file.has_source_code_info());
    for (std::string& problem : Linter(file).Run()) problems.push_back(std::move(problem));
  }
  CHECK(linted.contains("proto/common/v1/page.proto"));
  CHECK(linted.contains("proto/users/v1/users.proto"));
  CHECK(linted.contains("proto/roles/v1/roles.proto"));
  CHECK(linted.contains("proto/audit/v1/audit.proto"));
  CHECK(linted.contains("proto/notifications/v1/notifications.proto"));
  CHECK(linted.contains("proto/integrations/v1/integrations.proto"));
  for (const std::string& problem : problems) UNSCOPED_INFO(problem);
  CHECK(problems.empty());
}
