#include "image/image_reference.h"

#include <gtest/gtest.h>

namespace barge::image {
namespace {

std::string Normal(const std::string& text) {
  Result<ImageReference> ref = ParseImageReference(text);
  EXPECT_TRUE(ref.ok()) << text << ": " << (ref.ok() ? "" : ref.error().message);
  return ref.ok() ? ref->String() : "";
}

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(ImageReferenceTest, ShortDockerHubNamesGetLibraryAndLatest) {
  EXPECT_EQ(Normal("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Normal("busybox:latest"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Normal("docker.io/library/busybox:latest"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Normal("index.docker.io/library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Normal("busybox:1.36"), "docker.io/library/busybox:1.36");
  EXPECT_EQ(Normal("team/app"), "docker.io/team/app:latest");
}

TEST(ImageReferenceTest, DomainIsTheFirstComponentWithADotOrAPortOrLocalhost) {
  EXPECT_EQ(Normal("registry.example/team/app:tag"), "registry.example/team/app:tag");
  EXPECT_EQ(Normal("localhost:5000/app"), "localhost:5000/app:latest");
  EXPECT_EQ(Normal("localhost/app:v1"), "localhost/app:v1");
}

TEST(ImageReferenceTest, DigestReferencesKeepNoDefaultTag) {
  EXPECT_EQ(Normal("registry.example/team/app@" + kDigest), "registry.example/team/app@" + kDigest);
  EXPECT_EQ(Normal("busybox:1.36@" + kDigest), "docker.io/library/busybox:1.36@" + kDigest);
  Result<ImageReference> ref = ParseImageReference("busybox@" + kDigest);

  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->tag, "");
  EXPECT_EQ(ref->digest, kDigest);
}

TEST(ImageReferenceTest, FamiliarFormDropsDockerHubDefaults) {
  EXPECT_EQ(ParseImageReference("docker.io/library/busybox")->Familiar(), "busybox:latest");
  EXPECT_EQ(ParseImageReference("team/app:v2")->Familiar(), "team/app:v2");
  EXPECT_EQ(ParseImageReference("registry.example/a/b:c")->Familiar(), "registry.example/a/b:c");
}

TEST(ImageReferenceTest, InvalidReferencesAreRefused) {
  for (const char* bad : {"", "BusyBox", "busybox:", "busybox:-x", "a//b", "/busybox", "busybox/",
                          "busybox@sha256:abc", "busybox@md5:", "bad_-_name!", "app:tag:tag"}) {
    Result<ImageReference> ref = ParseImageReference(bad);
    EXPECT_FALSE(ref.ok()) << bad;
    if (!ref.ok()) {
      EXPECT_EQ(ref.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace barge::image
