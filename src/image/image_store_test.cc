#include "image/image_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "image/archive_files.h"
#include "image/sha256.h"
#include "image/test_image_builder.h"
#include "testing/temp_dir.h"

namespace barge::image {
namespace {

namespace fs = std::filesystem;
using namespace barge::image::testing;

TestImage Busyboxish(const std::string& name) {
  return {.layers = {{Dir("bin"), File("bin/busybox", "fake busybox", 0755),
                      Symlink("bin/sh", "busybox"), Dir("etc"), File("etc/motd", "base")},
                     {File("etc/motd", "upper"), File("etc/.wh.gone", "")}},
          .name = name,
          .cmd = {"/bin/sh", "-c", "echo hi"},
          .env = {"PATH=/bin", "FOO=bar"},
          .working_dir = "/tmp",
          .user = "1000:1000"};
}

class ImageStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<ImageStore> OpenStore() {
    Result<std::unique_ptr<ImageStore>> store = ImageStore::Open(temp_.File("store"));
    EXPECT_TRUE(store.ok());
    return std::move(store).value();
  }

  barge::testing::TempDir temp_ = std::move(barge::testing::TempDir::Create()).value();
};

TEST_F(ImageStoreTest, ImportsAnOciLayoutUnderItsNormalisedName) {
  BuiltImage built = AddToOciLayout(temp_.File("layout"), Busyboxish("busybox"));
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> imported = store->Import(temp_.File("layout"));

  ASSERT_TRUE(imported.ok()) << imported.error().message;
  ASSERT_EQ(imported->size(), 1u);
  EXPECT_EQ((*imported)[0].digest, built.manifest_digest);
  EXPECT_EQ((*imported)[0].references,
            std::vector<std::string>{"docker.io/library/busybox:latest"});
  for (const char* ref : {"busybox", "busybox:latest", "docker.io/library/busybox:latest"}) {
    Result<ImageSummary> found = store->Resolve(ref);
    ASSERT_TRUE(found.ok()) << ref;
    EXPECT_EQ(found->digest, built.manifest_digest);
  }
  EXPECT_TRUE(store->Resolve(built.manifest_digest).ok());
  EXPECT_TRUE(store->Resolve("other.example/x/busybox@" + built.manifest_digest).ok());
  EXPECT_EQ(store->Resolve("busybox:1.36").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(fs::exists(
      temp_.File("store/blobs/sha256/" + std::string(DigestHex(built.layer_digests[0])))));
}

TEST_F(ImageStoreTest, ImportsAnOciArchive) {
  AddToOciLayout(temp_.File("layout"), Busyboxish("registry.example/team/app:v1"));
  TarDirectory(temp_.File("layout"), temp_.File("app.tar"));
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> imported = store->Import(temp_.File("app.tar"));

  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_TRUE(store->Resolve("registry.example/team/app:v1").ok());
  EXPECT_TRUE(fs::is_empty(temp_.File("store/tmp")));
}

TEST_F(ImageStoreTest, ImportsADockerArchiveAndTagOverridesTheName) {
  TestImage image = Busyboxish("busybox:1.36");
  image.gzip = false;
  std::string image_id = WriteDockerArchive(temp_.File("docker.tar"), image);
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> plain = store->Import(temp_.File("docker.tar"));
  Result<std::vector<ImageSummary>> tagged =
      store->Import(temp_.File("docker.tar"), {.tag = "mine/app:dev"});

  ASSERT_TRUE(plain.ok()) << plain.error().message;
  ASSERT_TRUE(tagged.ok()) << tagged.error().message;
  Result<ImageSummary> found = store->Resolve("busybox:1.36");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->references,
            (std::vector<std::string>{"docker.io/library/busybox:1.36", "docker.io/mine/app:dev"}));
  Result<ImageConfig> config = store->Config(found->digest);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(config->env, (std::vector<std::string>{"PATH=/bin", "FOO=bar"}));
  EXPECT_EQ(config->working_dir, "/tmp");
  EXPECT_EQ(config->user, "1000:1000");
  EXPECT_TRUE(fs::exists(temp_.File("store/blobs/sha256/" + std::string(DigestHex(image_id)))));
}

TEST_F(ImageStoreTest, ABlobThatDoesNotMatchItsDigestIsRefused) {
  BuiltImage built = AddToOciLayout(temp_.File("layout"), Busyboxish("busybox"));
  std::string layer =
      temp_.File("layout/blobs/sha256/" + std::string(DigestHex(built.layer_digests[1])));
  std::string content = ReadFile(layer);
  content[content.size() / 2] ^= 1;
  WriteFile(layer, content);
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> imported = store->Import(temp_.File("layout"));

  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(imported.error().message.find("does not match its digest"), std::string::npos)
      << imported.error().message;
  EXPECT_TRUE(store->List()->empty());
  EXPECT_TRUE(fs::is_empty(temp_.File("store/blobs/sha256")));
}

TEST_F(ImageStoreTest, ALayerThatDoesNotMatchItsDiffIdIsRefused) {
  TestImage image = Busyboxish("busybox");
  image.gzip = false;
  WriteDockerArchive(temp_.File("docker.tar"), image);
  // Swap a layer for another tar: manifest.json still names it, but the
  // config's diff_ids no longer match.
  fs::create_directories(temp_.File("x"));
  ASSERT_TRUE(ExtractArchive(temp_.File("docker.tar"), temp_.File("x")).ok());
  for (const auto& item : fs::recursive_directory_iterator(temp_.File("x"))) {
    if (item.path().filename() == "layer.tar") {
      WriteTar(item.path().string(), {File("evil", "x")}, false);
      break;
    }
  }
  TarDirectory(temp_.File("x"), temp_.File("evil.tar"));
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> imported = store->Import(temp_.File("evil.tar"));

  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(imported.error().message.find("diff_id"), std::string::npos)
      << imported.error().message;
  EXPECT_TRUE(store->List()->empty());
}

// skopeo's docker-archive: <id>/layer.tar is a symlink to ../<diff id>.tar.
TEST_F(ImageStoreTest, ImportsADockerArchiveWhoseLayersAreSymlinks) {
  WriteTar(temp_.File("layer.tar"), {File("hello", "world")}, false);
  std::string layer = ReadFile(temp_.File("layer.tar"));
  std::string diff_id = Sha256Of(layer);
  std::string config = R"({"architecture":"amd64","os":"linux","config":{"Cmd":["/hello"]},)"
                       R"("rootfs":{"type":"layers","diff_ids":[")" +
                       diff_id + R"("]}})";
  std::string hex(DigestHex(diff_id));
  std::string manifest =
      R"([{"Config":"c.json","RepoTags":["hello:1"],"Layers":["id/layer.tar"]}])";
  WriteTar(temp_.File("docker.tar"),
           {File(hex + ".tar", layer), Dir("id"), Symlink("id/layer.tar", "../" + hex + ".tar"),
            File("c.json", config), File("manifest.json", manifest)},
           false);
  WriteTar(temp_.File("escape.tar"),
           {Symlink("id/layer.tar", "../../etc/passwd"), File("c.json", config),
            File("manifest.json", manifest)},
           false);
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> imported = store->Import(temp_.File("docker.tar"));
  Result<std::vector<ImageSummary>> escape = store->Import(temp_.File("escape.tar"));

  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ((*imported)[0].references, std::vector<std::string>{"docker.io/library/hello:1"});
  Result<std::string> rootfs = store->Unpack((*imported)[0].digest);
  ASSERT_TRUE(rootfs.ok()) << rootfs.error().message;
  EXPECT_EQ(ReadFile(*rootfs + "/hello"), "world");
  ASSERT_FALSE(escape.ok());
  EXPECT_NE(escape.error().message.find("outside the archive"), std::string::npos)
      << escape.error().message;
}

TEST_F(ImageStoreTest, NotAnImageIsRefused) {
  WriteTar(temp_.File("junk.tar"), {File("hello.txt", "hi")}, false);
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> junk = store->Import(temp_.File("junk.tar"));
  Result<std::vector<ImageSummary>> missing = store->Import(temp_.File("missing.tar"));

  EXPECT_EQ(junk.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(ImageStoreTest, UnpackAppliesLayersOnceAndAtomically) {
  TestImage image = Busyboxish("busybox");
  image.layers.insert(image.layers.begin(), {Dir("etc"), File("etc/gone", "x")});
  BuiltImage built = AddToOciLayout(temp_.File("layout"), image);
  auto store = OpenStore();
  ASSERT_TRUE(store->Import(temp_.File("layout")).ok());

  Result<std::string> rootfs = store->Unpack(built.manifest_digest);
  Result<std::string> again = store->Unpack(built.manifest_digest);

  ASSERT_TRUE(rootfs.ok()) << rootfs.error().message;
  EXPECT_EQ(*rootfs, temp_.File("store/rootfs/" + std::string(DigestHex(built.manifest_digest))));
  EXPECT_EQ(*again, *rootfs);
  EXPECT_EQ(ReadFile(*rootfs + "/etc/motd"), "upper");
  EXPECT_FALSE(fs::exists(*rootfs + "/etc/gone"));
  EXPECT_EQ(fs::read_symlink(*rootfs + "/bin/sh"), "busybox");
  EXPECT_TRUE(store->List()->front().unpacked);
  EXPECT_TRUE(fs::is_empty(temp_.File("store/tmp")));
}

TEST_F(ImageStoreTest, ConcurrentUnpacksAgree) {
  BuiltImage built = AddToOciLayout(temp_.File("layout"), Busyboxish("busybox"));
  auto store = OpenStore();
  ASSERT_TRUE(store->Import(temp_.File("layout")).ok());
  std::vector<std::string> paths(4);

  std::vector<std::thread> threads;
  for (size_t i = 0; i < paths.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<std::string> r = store->Unpack(built.manifest_digest);
      paths[i] = r.ok() ? *r : "error: " + r.error().message;
    });
  }
  for (std::thread& t : threads) t.join();

  for (const std::string& p : paths) EXPECT_EQ(p, paths[0]);
  EXPECT_EQ(ReadFile(paths[0] + "/etc/motd"), "upper");
}

TEST_F(ImageStoreTest, ConcurrentImportsKeepEveryImage) {
  constexpr int kImages = 4;
  for (int i = 0; i < kImages; ++i) {
    TestImage image = Busyboxish("app" + std::to_string(i));
    image.cmd = {"/bin/app" + std::to_string(i)};
    AddToOciLayout(temp_.File("layout" + std::to_string(i)), image);
  }
  std::vector<std::unique_ptr<ImageStore>> stores;  // One handle each, as separate processes.
  for (int i = 0; i < kImages; ++i) stores.push_back(OpenStore());
  std::vector<std::string> errors(kImages);

  std::vector<std::thread> threads;
  for (int i = 0; i < kImages; ++i) {
    threads.emplace_back([&, i] {
      auto imported = stores[i]->Import(temp_.File("layout" + std::to_string(i)));
      if (!imported) errors[i] = imported.error().message;
    });
  }
  for (std::thread& t : threads) t.join();

  for (const std::string& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(stores[0]->List()->size(), static_cast<size_t>(kImages));
}

TEST_F(ImageStoreTest, ReimportingANameMovesItAndDropsTheOldImage) {
  BuiltImage first = AddToOciLayout(temp_.File("v1"), Busyboxish("app"));
  TestImage changed = Busyboxish("app");
  changed.layers.push_back({File("new", "x")});
  BuiltImage second = AddToOciLayout(temp_.File("v2"), changed);
  auto store = OpenStore();
  ASSERT_TRUE(store->Import(temp_.File("v1")).ok());

  ASSERT_TRUE(store->Import(temp_.File("v2")).ok());

  Result<std::vector<ImageSummary>> images = store->List();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].digest, second.manifest_digest);
  EXPECT_FALSE(fs::exists(
      temp_.File("store/blobs/sha256/" + std::string(DigestHex(first.manifest_digest)))));
}

TEST_F(ImageStoreTest, RemoveDropsTheReferenceThenTheImageAndItsBlobs) {
  BuiltImage built = AddToOciLayout(temp_.File("layout"), Busyboxish("busybox"));
  TestImage other_image = Busyboxish("other");
  other_image.cmd = {"/bin/other"};
  BuiltImage other = AddToOciLayout(temp_.File("layout2"), other_image);
  auto store = OpenStore();
  ASSERT_TRUE(store->Import(temp_.File("layout")).ok());
  ASSERT_TRUE(store->Import(temp_.File("layout"), {.tag = "second:name"}).ok());
  ASSERT_TRUE(store->Import(temp_.File("layout2")).ok());
  ASSERT_TRUE(store->Unpack(built.manifest_digest).ok());

  Result<RemoveOutcome> untag = store->Remove("busybox");

  ASSERT_TRUE(untag.ok()) << untag.error().message;
  EXPECT_EQ(untag->untagged, std::vector<std::string>{"docker.io/library/busybox:latest"});
  EXPECT_TRUE(untag->deleted.empty());
  EXPECT_TRUE(store->Resolve("second:name").ok());

  Result<RemoveOutcome> gone = store->Remove("second:name");

  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->deleted, std::vector<std::string>{built.manifest_digest});
  EXPECT_EQ(store->List()->size(), 1u);
  EXPECT_FALSE(
      fs::exists(temp_.File("store/rootfs/" + std::string(DigestHex(built.manifest_digest)))));
  // The layers busybox shared with `other` stay; its own manifest is gone.
  EXPECT_TRUE(fs::exists(
      temp_.File("store/blobs/sha256/" + std::string(DigestHex(built.layer_digests[0])))));
  EXPECT_TRUE(fs::exists(
      temp_.File("store/blobs/sha256/" + std::string(DigestHex(other.manifest_digest)))));
  EXPECT_FALSE(fs::exists(
      temp_.File("store/blobs/sha256/" + std::string(DigestHex(built.manifest_digest)))));
  EXPECT_EQ(store->Remove("busybox").error().code, ErrorCode::kNotFound);
}

TEST_F(ImageStoreTest, RemoveByDigestDropsEveryName) {
  BuiltImage built = AddToOciLayout(temp_.File("layout"), Busyboxish("busybox"));
  auto store = OpenStore();
  ASSERT_TRUE(store->Import(temp_.File("layout")).ok());
  ASSERT_TRUE(store->Import(temp_.File("layout"), {.tag = "b:2"}).ok());

  Result<RemoveOutcome> removed = store->Remove(built.manifest_digest);

  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->untagged.size(), 2u);
  EXPECT_TRUE(store->List()->empty());
  EXPECT_TRUE(fs::is_empty(temp_.File("store/blobs/sha256")));
}

TEST_F(ImageStoreTest, TheStoreIsItselfAnOciLayout) {
  BuiltImage built = AddToOciLayout(temp_.File("layout"), Busyboxish("busybox"));
  auto store = OpenStore();
  ASSERT_TRUE(store->Import(temp_.File("layout")).ok());
  auto copy = ImageStore::Open(temp_.File("copy"));
  ASSERT_TRUE(copy.ok());

  Result<std::vector<ImageSummary>> imported = (*copy)->Import(temp_.File("store"));

  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ((*imported)[0].digest, built.manifest_digest);
  EXPECT_EQ((*imported)[0].references,
            std::vector<std::string>{"docker.io/library/busybox:latest"});
}

TEST_F(ImageStoreTest, AnInvalidNameInTheFileNeedsATag) {
  AddToOciLayout(temp_.File("layout"), Busyboxish("Not/Valid"));
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> refused = store->Import(temp_.File("layout"));
  Result<std::vector<ImageSummary>> tagged = store->Import(temp_.File("layout"), {.tag = "ok"});

  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("--tag"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(tagged.ok());
}

TEST_F(ImageStoreTest, InvalidTagAndTagForSeveralImagesAreRefused) {
  AddToOciLayout(temp_.File("layout"), Busyboxish("a"));
  TestImage b = Busyboxish("b");
  b.cmd = {"/bin/b"};
  AddToOciLayout(temp_.File("layout"), b);
  auto store = OpenStore();

  Result<std::vector<ImageSummary>> bad = store->Import(temp_.File("layout"), {.tag = "Bad:Tag"});
  Result<std::vector<ImageSummary>> several = store->Import(temp_.File("layout"), {.tag = "c"});
  Result<std::vector<ImageSummary>> both = store->Import(temp_.File("layout"));

  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(several.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 2u);
}

}  // namespace
}  // namespace barge::image
