#include "cli/shorthand.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/check.h"

namespace barge::cli {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The character classes of awscli's _START_WORD, _FIRST_FOLLOW_CHARS and
// _SECOND_FOLLOW_CHARS. Bytes >= 0x80 (UTF-8) are allowed everywhere, as the
// Python ranges run up to \uffff.
bool IsStartChar(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80) return true;
  if (byte < 0x21) return false;
  return c != '"' && c != '\'' && c != ',' && c != '=' && c != '[' && c != '{';
}
bool IsFirstFollowChar(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80 || IsSpace(c)) return true;
  if (byte < 0x21) return false;
  return c != '"' && c != '\'' && c != ',' && c != ']' && c != '}';
}
bool IsSecondFollowChar(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80 || IsSpace(c)) return true;
  if (byte < 0x21) return false;
  return c != '"' && c != '\'' && c != ',' && c != '=';
}
bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '#' || c == '/' || c == ':';
}

std::string RightTrim(std::string text) {
  while (!text.empty() && IsSpace(text.back())) text.pop_back();
  return text;
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// Recursive-descent parser over one shorthand string. Methods return nullopt
// after recording the first syntax error in error_.
class ShorthandParser {
 public:
  explicit ShorthandParser(std::string_view text) : text_(text) {}

  Result<Json> Parse() {
    std::optional<Json> value = Parameter();
    if (!value) return InvalidArgument(error_);
    return std::move(*value);
  }

 private:
  bool AtEof() const { return index_ >= text_.size(); }
  char Current() const { return AtEof() ? '\0' : text_[index_]; }
  void SkipSpace() {
    while (!AtEof() && IsSpace(text_[index_])) ++index_;
  }

  std::string Location(size_t at) const {
    return std::string(text_) + "\n" + std::string(at, ' ') + "^";
  }
  void Fail(std::string_view expected) {
    std::string actual = AtEof() ? "EOF" : std::string(1, text_[index_]);
    error_ = "Expected: '" + std::string(expected) + "', received: '" + actual + "' for input:\n" +
             Location(index_);
  }
  bool Expect(char c, bool skip_space) {
    if (skip_space) SkipSpace();
    if (AtEof() || text_[index_] != c) {
      Fail(std::string(1, c));
      return false;
    }
    ++index_;
    if (skip_space) SkipSpace();
    return true;
  }

  // parameter = keyval *("," keyval)
  std::optional<Json> Parameter() {
    Json params = Json::object();
    size_t last_index = index_;
    do {
      if (!params.empty() && !Expect(',', true)) return std::nullopt;
      std::string key = Key();
      if (!Expect('=', true)) return std::nullopt;
      std::optional<Json> value = Values();
      if (!value) return std::nullopt;
      if (params.contains(key)) {
        error_ = "Second instance of key \"" + key + "\" encountered for input:\n" +
                 Location(last_index + 1) +
                 "\nThis is often because there is a preceding \",\" instead of a space.";
        return std::nullopt;
      }
      params[key] = std::move(*value);
      last_index = index_;
    } while (!AtEof());
    return params;
  }

  std::string Key() {
    size_t start = index_;
    while (!AtEof() && IsKeyChar(text_[index_])) ++index_;
    return std::string(text_.substr(start, index_ - start));
  }

  // values = csv-list / explicit-list / hash-literal
  std::optional<Json> Values() {
    if (AtEof()) return Json("");
    if (Current() == '[') return ExplicitList();
    if (Current() == '{') return HashLiteral();
    return CsvValue();
  }

  // foo=bar -> "bar"; foo=bar,baz -> ["bar","baz"]; foo=bar,baz=1 stops at baz.
  std::optional<Json> CsvValue() {
    std::optional<std::string> first = FirstValue();
    if (!first) return std::nullopt;
    SkipSpace();
    if (AtEof() || Current() != ',') return Json(*first);
    if (!Expect(',', true)) return std::nullopt;
    Json list = Json::array({*first});
    while (true) {
      std::optional<std::string> next = SecondValue();
      bool ok = next.has_value();
      if (ok) {
        SkipSpace();
        if (AtEof()) {
          list.push_back(*next);
          break;
        }
        ok = Expect(',', true);
      }
      if (!ok) {
        if (AtEof()) return std::nullopt;
        // "a=x,y,b=z": the word after the last comma was the next key.
        while (index_ > 0 && text_[index_] != ',') --index_;
        break;
      }
      list.push_back(*next);
    }
    if (list.size() == 1) return Json(*first);
    return list;
  }

  // An unquoted word: (\\,|start)(\\,|follow)*, with "\," meaning ",".
  std::string Word(bool (*follow)(char)) {
    size_t start = index_;
    bool first = true;
    while (!AtEof()) {
      if (text_[index_] == '\\' && index_ + 1 < text_.size() && text_[index_ + 1] == ',') {
        index_ += 2;
      } else if (first ? IsStartChar(text_[index_]) : follow(text_[index_])) {
        ++index_;
      } else {
        break;
      }
      first = false;
    }
    return RightTrim(ReplaceAll(std::string(text_.substr(start, index_ - start)), "\\,", ","));
  }

  std::optional<std::string> Quoted(char quote) {
    size_t start = index_;
    ++index_;
    while (!AtEof() && text_[index_] != quote) {
      if (text_[index_] == '\\' && index_ + 1 < text_.size() && text_[index_ + 1] == quote)
        ++index_;
      ++index_;
    }
    if (AtEof()) {
      index_ = start;
      Fail(quote == '\'' ? "<singled quoted>" : "<double quoted>");
      return std::nullopt;
    }
    ++index_;
    std::string inner(text_.substr(start + 1, index_ - start - 2));
    inner = ReplaceAll(std::move(inner), std::string("\\") + quote, std::string(1, quote));
    return ReplaceAll(std::move(inner), "\\\\", "\\");
  }

  std::optional<std::string> FirstValue() {
    if (Current() == '\'' || Current() == '"') return Quoted(Current());
    return Word(IsFirstFollowChar);
  }

  std::optional<std::string> SecondValue() {
    if (Current() == '\'' || Current() == '"') return Quoted(Current());
    size_t start = index_;
    std::string word = Word(IsSecondFollowChar);
    if (index_ == start) {
      Fail("<second>");
      return std::nullopt;
    }
    return word;
  }

  // explicit-list = "[" [value *("," value)] "]"
  std::optional<Json> ExplicitList() {
    if (!Expect('[', true)) return std::nullopt;
    Json values = Json::array();
    while (Current() != ']') {
      std::optional<Json> value = ExplicitValue();
      if (!value) return std::nullopt;
      values.push_back(std::move(*value));
      SkipSpace();
      if (Current() != ']') {
        if (!Expect(',', false)) return std::nullopt;
        SkipSpace();
      }
    }
    if (!Expect(']', false)) return std::nullopt;
    return values;
  }

  std::optional<Json> ExplicitValue() {
    if (Current() == '[') return ExplicitList();
    if (Current() == '{') return HashLiteral();
    std::optional<std::string> value = FirstValue();
    if (!value) return std::nullopt;
    return Json(*value);
  }

  // hash-literal = "{" keyval *("," keyval) "}"
  std::optional<Json> HashLiteral() {
    if (!Expect('{', true)) return std::nullopt;
    Json members = Json::object();
    while (Current() != '}') {
      std::string key = Key();
      if (!Expect('=', true)) return std::nullopt;
      std::optional<Json> value = ExplicitValue();
      if (!value) return std::nullopt;
      SkipSpace();
      if (Current() != '}') {
        if (!Expect(',', false)) return std::nullopt;
        SkipSpace();
      }
      members[key] = std::move(*value);
    }
    if (!Expect('}', false)) return std::nullopt;
    return members;
  }

  std::string_view text_;
  size_t index_ = 0;
  std::string error_{};
};

// A parsed shape string (grammar in shorthand.h).
struct ShapeMember;
struct ShapeNode {
  char kind = 's';                     // s i f b [ { <
  std::vector<ShapeMember> members{};  // For '{'.
  std::vector<ShapeNode> element{};    // One entry for '[' and '<'.
};
struct ShapeMember {
  std::string_view name{};
  ShapeNode shape{};
};

class ShapeReader {
 public:
  ShapeReader(std::string_view text, ShapeLibrary library) : text_(text), library_(library) {}

  ShapeNode Read() {
    ShapeNode node = Node();
    BARGE_CHECK(pos_ == text_.size(), "trailing characters in shape");
    return node;
  }

 private:
  char Next() {
    BARGE_CHECK(pos_ < text_.size(), "shape ends early");
    return text_[pos_++];
  }
  void Expect(char c) { BARGE_CHECK(Next() == c, "malformed shape"); }
  std::string_view Name() {
    size_t start = pos_;
    while (pos_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    BARGE_CHECK(pos_ > start, "shape member without a name");
    return text_.substr(start, pos_ - start);
  }

  ShapeNode Node() {
    ShapeNode node;
    node.kind = Next();
    switch (node.kind) {
      case 's':
      case 'i':
      case 'f':
      case 'b':
        break;
      case '[':
        node.element.push_back(Node());
        Expect(']');
        break;
      case '<':
        node.element.push_back(Node());
        Expect('>');
        break;
      case '{':
        while (pos_ < text_.size() && text_[pos_] != '}') {
          if (!node.members.empty()) Expect(',');
          std::string_view name = Name();
          Expect(':');
          node.members.push_back({.name = name, .shape = Node()});
        }
        Expect('}');
        break;
      case '@': {
        std::string_view name = Name();
        for (const NamedShape& named : library_) {
          if (named.name == name) return ShapeReader(named.shape, library_).Read();
        }
        BARGE_CHECK(false, "unknown named shape");
        break;
      }
      default:
        BARGE_CHECK(false, "unknown shape kind");
    }
    return node;
  }

  std::string_view text_;
  ShapeLibrary library_;
  size_t pos_ = 0;
};

Error BadLeaf(std::string_view type, const Json& value, const std::string& path) {
  return InvalidArgument("invalid " + std::string(type) + " value " + value.dump() +
                         " for member " + path);
}

Status Apply(Json& value, const ShapeNode& shape, const std::string& path) {
  switch (shape.kind) {
    case 'i': {
      if (!value.is_string()) return Ok();
      std::string text = value.get<std::string>();
      std::string_view digits = text;
      while (!digits.empty() && IsSpace(digits.front())) digits.remove_prefix(1);
      while (!digits.empty() && IsSpace(digits.back())) digits.remove_suffix(1);
      if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
      int64_t number = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        return BadLeaf("integer", value, path);
      }
      value = number;
      return Ok();
    }
    case 'f': {
      if (!value.is_string()) return Ok();
      std::string text = value.get<std::string>();
      char* end = nullptr;
      double number = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0') return BadLeaf("float", value, path);
      value = number;
      return Ok();
    }
    case 'b': {
      if (!value.is_string()) return Ok();
      std::string text = value.get<std::string>();
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (text != "true" && text != "false") return BadLeaf("boolean", value, path);
      value = text == "true";
      return Ok();
    }
    case '[': {
      if (!value.is_array()) value = Json::array({std::move(value)});
      for (size_t i = 0; i < value.size(); ++i) {
        BARGE_RETURN_IF_ERROR(
            Apply(value[i], shape.element.front(), path + "[" + std::to_string(i) + "]"));
      }
      return Ok();
    }
    case '<': {
      if (!value.is_object()) return Ok();
      for (auto& [key, member] : value.items()) {
        BARGE_RETURN_IF_ERROR(Apply(member, shape.element.front(), path + "." + key));
      }
      return Ok();
    }
    case '{': {
      if (!value.is_object()) return Ok();
      for (const ShapeMember& member : shape.members) {
        std::string name(member.name);
        if (!value.contains(name)) continue;
        BARGE_RETURN_IF_ERROR(
            Apply(value[name], member.shape, path.empty() ? name : path + "." + name));
      }
      return Ok();
    }
    default:
      return Ok();
  }
}

}  // namespace

Result<Json> ParseShorthand(std::string_view text) { return ShorthandParser(text).Parse(); }

Status ApplyShape(Json& value, std::string_view shape, ShapeLibrary library) {
  if (shape.empty()) return Ok();
  return Apply(value, ShapeReader(shape, library).Read(), "");
}

}  // namespace barge::cli
