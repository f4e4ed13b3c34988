#include "bff/app/users_cache.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "bff/app/user_json.h"

namespace backoffice::bff::app {
namespace {

std::string Lower(std::string_view text) {
  return absl::AsciiStrToLower(absl::string_view(text.data(), text.size()));
}

// The request's bytes, serialized deterministically: equal requests, equal keys.
std::string PageKey(const users::v1::ListUsersRequest& request) {
  std::string key;
  {
    google::protobuf::io::StringOutputStream stream(&key);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&out);
  }
  return key;
}

}  // namespace

UsersCache::UsersCache(UsersCacheOptions options)
    : max_user_bytes_(options.max_user_bytes),
      max_page_bytes_(options.max_page_bytes),
      users_({.max_entries = options.max_users, .max_age = options.max_age, .enabled = false}),
      pages_({.max_entries = options.max_pages, .max_age = options.max_age, .enabled = false}) {}

std::string UsersCache::UserKey(std::string_view id) { return Lower(id); }

std::shared_ptr<const CachedUser> UsersCache::FindUser(std::string_view id) {
  return users_.Find(Lower(id), absl::Now());
}

std::shared_ptr<const CachedUser> RenderUser(const users::v1::User& user) {
  auto rendered = std::make_shared<CachedUser>();
  rendered->body = boost::json::serialize(UserToJson(user));
  rendered->etag = user.etag();
  return rendered;
}

std::shared_ptr<const CachedUser> UsersCache::StoreUser(const users::v1::User& user,
                                                        uint64_t generation) {
  std::shared_ptr<const CachedUser> cached = RenderUser(user);
  if (cached->body.size() <= max_user_bytes_) users_.Insert(UserKey(user.id()), cached, generation);
  return cached;
}

std::shared_ptr<const CachedUsersPage> UsersCache::FindPage(
    const users::v1::ListUsersRequest& request, std::string& key) {
  key = PageKey(request);
  return pages_.Find(key, absl::Now());
}

std::shared_ptr<const CachedUsersPage> RenderUsersPage(const users::v1::ListUsersResponse& page) {
  auto rendered = std::make_shared<CachedUsersPage>();
  boost::json::array rows;
  rows.reserve(page.users_size());
  for (const users::v1::User& user : page.users()) {
    rows.push_back(UserToJson(user));
  }
  rendered->body = boost::json::serialize(rows);
  rendered->count = rows.size();
  rendered->page_info = page.page_info();
  return rendered;
}

std::shared_ptr<const CachedUsersPage> UsersCache::StorePage(
    std::string key, const users::v1::ListUsersResponse& page, uint64_t generation) {
  std::shared_ptr<const CachedUsersPage> cached = RenderUsersPage(page);
  if (cached->body.size() <= max_page_bytes_) pages_.Insert(key, cached, generation);
  return cached;
}

void UsersCache::Changed(std::string_view user_id) { invalidation_.Invalidate(Lower(user_id)); }

void UsersCache::ChangedAll() { invalidation_.InvalidateAll(); }

void UsersCache::ChangedPages() { pages_.InvalidateAll(); }

void UsersCache::Abandon() {
  user_loads_.Abandon();
  page_loads_.Abandon();
}

}  // namespace backoffice::bff::app
