#pragma once
// Reads the access keys the server accepts from a file in the AWS shared
// credentials format (~/.aws/credentials):
//
//   [default]
//   aws_access_key_id = AKIDBARGE
//   aws_secret_access_key = s3cr3t/KEY
//   [ci]
//   aws_access_key_id = ...
//
// Any number of profiles; each must have both keys. '#' and ';' start comment
// lines; other keys (aws_session_token, region, ...) are ignored.
//
// Pure functions apart from reading the file; any thread.
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace barge::api {

// Access key id -> secret access key.
using CredentialSet = std::map<std::string, std::string>;

// kInvalidArgument naming the line for malformed text, a profile missing one
// of the two keys, one access key id with two secrets, or no profile at all.
Result<CredentialSet> ParseCredentials(std::string_view text);
// As ParseCredentials; kNotFound/kInvalidArgument when `path` cannot be read.
Result<CredentialSet> LoadCredentialsFile(const std::string& path);

}  // namespace barge::api
