#include "libs/pg/copy_text.h"

namespace backoffice::pg {

void AppendCopyText(std::string& out, std::string_view value) {
  size_t plain_from = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    char escaped;
    switch (value[i]) {
      case '\\':
        escaped = '\\';
        break;
      case '\t':
        escaped = 't';
        break;
      case '\n':
        escaped = 'n';
        break;
      case '\r':
        escaped = 'r';
        break;
      default:
        continue;
    }
    out.append(value.data() + plain_from, i - plain_from);
    out.push_back('\\');
    out.push_back(escaped);
    plain_from = i + 1;
  }
  out.append(value.data() + plain_from, value.size() - plain_from);
}

}  // namespace backoffice::pg
