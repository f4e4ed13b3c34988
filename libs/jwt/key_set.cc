#include "libs/jwt/key_set.h"

#include "absl/strings/str_cat.h"

namespace backoffice::jwt {

absl::StatusOr<KeySet> KeySet::Create(std::vector<PublicKey> keys) {
  KeySet set;
  set.by_kid_.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!set.by_kid_.emplace(keys[i].kid(), i).second) {
      return absl::InvalidArgumentError(
          keys[i].kid().empty() ? std::string("more than one key without a kid")
                                : absl::StrCat("duplicate kid \"", keys[i].kid(), "\""));
    }
  }
  set.keys_ = std::move(keys);
  return set;
}

const PublicKey* KeySet::Find(std::string_view kid) const {
  auto it = by_kid_.find(absl::string_view(kid.data(), kid.size()));
  return it == by_kid_.end() ? nullptr : &keys_[it->second];
}

}  // namespace backoffice::jwt
