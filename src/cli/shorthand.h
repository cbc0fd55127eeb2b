#pragma once
// The AWS CLI's shorthand syntax for structure arguments, and the typing step
// that follows it. Parsing is purely syntactic (a port of awscli/shorthand.py):
//
//   a=1,b=x          -> {"a":"1","b":"x"}
//   a=x,y,b=z        -> {"a":["x","y"],"b":"z"}
//   a=[x,y],b={c=d}  -> {"a":["x","y"],"b":{"c":"d"}}
//   a='x,y',b=p\,q   -> {"a":"x,y","b":"p,q"}
//
// Every leaf is a string. ApplyShape then converts leaves to the types a
// "shape" string names, as the AWS CLI does with its service model:
//
//   shape  := 's' | 'i' | 'f' | 'b'          string, integer, float, boolean
//           | '[' shape ']'                  list; a single value becomes [value]
//           | '{' [name ':' shape {',' name ':' shape}] '}'   structure; members not
//                                            named keep their parsed value
//           | '<' shape '>'                  map with values of `shape`
//           | '@' Name                       a named shape from the library
//
// e.g. "[{order:i}]" for computeEnvironmentOrder. Pure functions; any thread.
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "core/result.h"

namespace barge::cli {

using Json = nlohmann::ordered_json;

struct NamedShape {
  std::string_view name{};   // Referenced as "@name".
  std::string_view shape{};  // In the grammar above.
};
using ShapeLibrary = std::span<const NamedShape>;

// kInvalidArgument with the AWS CLI's "Expected: ..., received: ..." message
// and a caret under the offending character.
Result<Json> ParseShorthand(std::string_view text);

// Converts `value` in place. kInvalidArgument when a leaf cannot take its
// type ("invalid integer value 'x' for member attempts"). A malformed `shape`
// is a programmer error and aborts.
Status ApplyShape(Json& value, std::string_view shape, ShapeLibrary library);

}  // namespace barge::cli
