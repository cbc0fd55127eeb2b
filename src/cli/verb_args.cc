#include "cli/verb_args.h"

#include <algorithm>
#include <charconv>

namespace barge::cli {
namespace {

constexpr std::string_view kGlobalValueFlags[] = {"endpoint-url", "endpoint", "region"};

bool Contains(const auto& names, std::string_view name) {
  return std::ranges::find(names, name) != std::ranges::end(names);
}

}  // namespace

std::optional<std::string> VerbArgs::Value(const std::string& flag) const {
  auto found = values.find(flag);
  if (found == values.end()) return std::nullopt;
  return found->second;
}

Result<VerbArgs> ParseVerbArgs(const VerbSpec& spec, const std::vector<std::string>& args) {
  VerbArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") {
      out.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (word == "-h" || word == "--help" || (word == "help" && out.positional.empty())) {
      out.help = true;
      continue;
    }
    std::string name;
    if (word.size() == 2 && word[0] == '-' && word[1] != '-') {
      auto alias = spec.short_aliases.find(std::string_view(word).substr(1));
      if (alias == spec.short_aliases.end()) return InvalidArgument("Unknown options: " + word);
      name = std::string(alias->second);
    } else if (word.size() > 2 && word.starts_with("--")) {
      name = word.substr(2);
    } else {
      if (spec.takes_command) {
        out.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
        break;
      }
      out.positional.push_back(word);
      continue;
    }
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (Contains(spec.switches, name)) {
      if (inline_value) return InvalidArgument("argument --" + name + ": takes no value");
      out.switches.insert(name);
      continue;
    }
    if (!Contains(spec.value_flags, name) && !Contains(kGlobalValueFlags, name)) {
      return InvalidArgument("Unknown options: " + word);
    }
    if (!inline_value) {
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) {
        return InvalidArgument("argument --" + name + ": expected one argument");
      }
      inline_value = args[++i];
    }
    out.values[name == "endpoint" ? "endpoint-url" : name] = std::move(*inline_value);
  }
  return out;
}

Result<int64_t> IntegerFlag(std::string_view flag, const std::string& text, int64_t min,
                            int64_t max) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return InvalidArgument("--" + std::string(flag) + " must be a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max) + ", not '" + text +
                           "'");
  }
  return value;
}

}  // namespace barge::cli
