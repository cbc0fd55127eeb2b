#include "cli/image_command.h"

#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "cli/verb_args.h"
#include "image/image_reference.h"
#include "image/image_store.h"

namespace barge::cli {
namespace {

using image::ImageStore;
using image::ImageSummary;

constexpr int kExitFailed = 1;

std::string Usage() {
  return "usage: barge image import FILE|DIR [--tag NAME] [--store DIR]\n"
         "       barge image ls [--store DIR] [--output table|json]\n"
         "       barge image rm REF [--store DIR]\n"
         "\n"
         "Manages the local image store (--store, else $BARGE_IMAGE_STORE, else\n"
         "./.barge/images). import reads an OCI layout directory, an OCI archive or a\n"
         "docker-archive tarball and checks every digest; --tag names the image. rm\n"
         "removes a name (or, given a digest, the whole image) and the blobs no image\n"
         "uses any more. References are normalised like Docker's: busybox is\n"
         "docker.io/library/busybox:latest.\n";
}

VerbSpec ImageVerb() {
  return {.verb = "image", .value_flags = {"tag", "store", "output"}, .switches = {}};
}

std::string ShortDigest(const std::string& digest) { return digest.substr(7, 12); }

std::string HumanSize(int64_t bytes) {
  std::ostringstream s;
  if (bytes < 1024) {
    s << bytes << " B";
  } else if (bytes < 1024 * 1024) {
    s << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / 1024 << " KiB";
  } else {
    s << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1024 * 1024) << " MiB";
  }
  return s.str();
}

Json ToJson(const ImageSummary& image) {
  return {{"digest", image.digest},
          {"references", image.references},
          {"size", image.size},
          {"unpacked", image.unpacked}};
}

// One row per reference (an untagged image shows <none>), like `docker images`.
void PrintTable(const std::vector<ImageSummary>& images, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {{"REFERENCE", "DIGEST", "SIZE", "UNPACKED"}};
  for (const ImageSummary& image : images) {
    std::vector<std::string> names = image.references;
    if (names.empty()) names.push_back("<none>");
    for (const std::string& name : names) {
      Result<image::ImageReference> ref = image::ParseImageReference(name);
      rows.push_back({ref.ok() ? ref->Familiar() : name, ShortDigest(image.digest),
                      HumanSize(image.size), image.unpacked ? "yes" : "no"});
    }
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(widths[i] - row[i].size() + 3, ' ');
    }
    out << "\n";
  }
}

}  // namespace

bool IsImageCommand(const std::vector<std::string>& args) {
  return !args.empty() && args[0] == "image";
}

int RunImageCommand(const std::vector<std::string>& args, const ProcessContext& context,
                    const std::string& store_from_env, std::ostream& out, std::ostream& err) {
  auto usage_error = [&err](const std::string& message) {
    err << "barge image: " << message << "\n\n" << Usage();
    return kExitParamError;
  };
  Result<VerbArgs> parsed =
      ParseVerbArgs(ImageVerb(), std::vector<std::string>(args.begin() + 1, args.end()));
  if (!parsed) return usage_error(parsed.error().message);
  if (parsed->help || parsed->positional.empty()) {
    if (parsed->help) {
      out << Usage();
      return kExitOk;
    }
    return usage_error("expected import, ls or rm");
  }
  std::string action = parsed->positional[0];
  std::vector<std::string> operands(parsed->positional.begin() + 1, parsed->positional.end());
  std::string output = parsed->Value("output").value_or(
      !context.env.output.empty() ? context.env.output
                                  : (context.env.stdout_is_terminal ? "table" : "json"));
  if (output != "table" && output != "json") {
    return usage_error("--output must be table or json, not '" + output + "'");
  }
  if (parsed->Value("tag") && action != "import") return usage_error("--tag is for import only");
  std::string store_dir =
      parsed->Value("store").value_or(store_from_env.empty() ? "./.barge/images" : store_from_env);

  size_t wanted = action == "ls" ? 0 : 1;
  if (action != "import" && action != "ls" && action != "rm") {
    return usage_error("unknown action '" + action + "': expected import, ls or rm");
  }
  if (operands.size() != wanted) {
    return usage_error(action + (wanted == 0 ? " takes no operand" : " takes one operand"));
  }
  auto failed = [&err, &action](const Error& error) {
    err << "barge image " << action << ": " << error.message << "\n";
    return kExitFailed;
  };
  Result<std::unique_ptr<ImageStore>> store = ImageStore::Open(store_dir);
  if (!store) return failed(store.error());

  if (action == "import") {
    std::string tag = parsed->Value("tag").value_or("");
    if (!tag.empty()) {
      if (Result<image::ImageReference> ref = image::ParseImageReference(tag); !ref) {
        return usage_error(ref.error().message);
      }
    }
    Result<std::vector<ImageSummary>> imported = (*store)->Import(operands[0], {.tag = tag});
    if (!imported) return failed(imported.error());
    if (output == "json") {
      Json list = Json::array();
      for (const ImageSummary& image : *imported) list.push_back(ToJson(image));
      out << Json{{"imported", list}}.dump(2) << "\n";
    } else {
      for (const ImageSummary& image : *imported) {
        out << "imported " << image.digest;
        for (const std::string& name : image.references) out << " " << name;
        out << "\n";
      }
    }
    return kExitOk;
  }
  if (action == "ls") {
    Result<std::vector<ImageSummary>> images = (*store)->List();
    if (!images) return failed(images.error());
    if (output == "json") {
      Json list = Json::array();
      for (const ImageSummary& image : *images) list.push_back(ToJson(image));
      out << Json{{"images", list}}.dump(2) << "\n";
    } else {
      PrintTable(*images, out);
    }
    return kExitOk;
  }
  Result<image::RemoveOutcome> removed = (*store)->Remove(operands[0]);
  if (!removed) {
    if (removed.error().code == ErrorCode::kInvalidArgument) {
      return usage_error(removed.error().message);
    }
    return failed(removed.error());
  }
  if (output == "json") {
    out << Json{{"untagged", removed->untagged}, {"deleted", removed->deleted}}.dump(2) << "\n";
  } else {
    for (const std::string& name : removed->untagged) out << "untagged " << name << "\n";
    for (const std::string& digest : removed->deleted) out << "deleted " << digest << "\n";
  }
  return kExitOk;
}

}  // namespace barge::cli
