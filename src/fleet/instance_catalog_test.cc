#include "fleet/instance_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace barge::fleet {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Names(const std::vector<InstanceType>& types) {
  std::vector<std::string> names;
  for (const InstanceType& type : types) names.push_back(type.name);
  return names;
}

// A catalog of one entry, `fields` spliced in after the name, for Parse-error tests.
std::string OneEntry(const std::string& fields) {
  return R"({"instanceTypes": [{"name": "box.large", )" + fields + "}]}";
}

constexpr char kValidFields[] = R"("vcpus": 2, "memoryMiB": 4096, "onDemandPricePerHour": 0.1)";

// Parse must fail with kInvalidArgument; returns the message for further checks.
std::string ParseError(const std::string& json) {
  Result<InstanceCatalog> catalog = InstanceCatalog::Parse(json);
  EXPECT_FALSE(catalog.ok()) << json;
  if (catalog.ok()) return "";
  EXPECT_EQ(catalog.error().code, ErrorCode::kInvalidArgument);
  return catalog.error().message;
}

TEST(InstanceCatalogTest, BuiltInCatalogHasC5LargeWithItsListFigures) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  const InstanceType* c5 = catalog.Find("c5.large");

  ASSERT_NE(c5, nullptr);
  EXPECT_EQ(c5->family, "c5");
  EXPECT_EQ(c5->vcpus, 2);
  EXPECT_EQ(c5->memory_mib, 4096);
  EXPECT_EQ(c5->gpus, 0);
  EXPECT_EQ(c5->architecture, "x86_64");
  EXPECT_DOUBLE_EQ(c5->on_demand_per_hour, 0.085);
  EXPECT_DOUBLE_EQ(c5->PricePerHour(CapacityType::kOnDemand), 0.085);
  EXPECT_LT(c5->PricePerHour(CapacityType::kSpot), 0.085);
}

TEST(InstanceCatalogTest, BuiltInCatalogHasEveryShippedFamilyAndItsGpus) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  std::set<std::string> families;
  for (const InstanceType& type : catalog.types()) families.insert(type.family);

  EXPECT_EQ(families, (std::set<std::string>{"c5", "c6i", "g4dn", "m5", "m6g", "m6i", "p3", "r5"}));
  EXPECT_EQ(catalog.types().size(), 56u);
  EXPECT_THAT(catalog.optimal_families(), ElementsAre("c5", "m5", "r5"));
  ASSERT_NE(catalog.Find("p3.16xlarge"), nullptr);
  EXPECT_EQ(catalog.Find("p3.16xlarge")->gpus, 8);
  EXPECT_EQ(catalog.Find("g4dn.12xlarge")->gpus, 4);
  EXPECT_EQ(catalog.Find("m6g.medium")->architecture, "arm64");
}

TEST(InstanceCatalogTest, BuiltInSpotPricesAreDiscountedAndPoolsDifferInInterruptionBand) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  std::set<InterruptionBand> bands;
  for (const InstanceType& type : catalog.types()) {
    bands.insert(type.interruption);
    double discount = type.spot_per_hour / type.on_demand_per_hour;
    EXPECT_GE(discount, 0.29) << type.name;
    EXPECT_LE(discount, 0.46) << type.name;
  }

  EXPECT_EQ(bands.size(), 5u);
  EXPECT_LT(catalog.Find("c5.large")->interruption, catalog.Find("p3.16xlarge")->interruption);
}

TEST(InstanceCatalogTest, TypesAreSortedByFamilyThenVcpus) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  const std::vector<InstanceType>& types = catalog.types();

  ASSERT_FALSE(types.empty());
  for (size_t i = 1; i < types.size(); ++i) {
    bool ordered = types[i - 1].family < types[i].family ||
                   (types[i - 1].family == types[i].family && types[i - 1].vcpus < types[i].vcpus);
    EXPECT_TRUE(ordered) << types[i - 1].name << " before " << types[i].name;
  }
}

TEST(InstanceCatalogTest, FindReturnsNullForAnUnknownName) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  EXPECT_EQ(catalog.Find("c5.mega"), nullptr);
  EXPECT_EQ(catalog.Find("c5"), nullptr);
}

TEST(InstanceCatalogTest, FamilyResolvesToEverySizeSmallestFirst) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"c5"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_THAT(Names(*resolved),
              ElementsAre("c5.large", "c5.xlarge", "c5.2xlarge", "c5.4xlarge", "c5.9xlarge",
                          "c5.12xlarge", "c5.18xlarge", "c5.24xlarge"));
}

TEST(InstanceCatalogTest, ExactNameResolvesToThatTypeOnly) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"g4dn.2xlarge"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  ASSERT_THAT(Names(*resolved), ElementsAre("g4dn.2xlarge"));
  EXPECT_EQ((*resolved)[0].gpus, 1);
}

TEST(InstanceCatalogTest, ResolvedTypesAreOrderedByVcpusThenPriceThenName) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"r5.large", "c5.xlarge", "m5.large", "c6i.large", "c5.large"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  // c5.large and c6i.large cost the same, so the name decides.
  EXPECT_THAT(Names(*resolved),
              ElementsAre("c5.large", "c6i.large", "m5.large", "r5.large", "c5.xlarge"));
}

TEST(InstanceCatalogTest, OptimalResolvesToTheC5M5AndR5FamiliesOnly) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"optimal"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  std::set<std::string> families;
  for (const InstanceType& type : *resolved) families.insert(type.family);
  EXPECT_EQ(families, (std::set<std::string>{"c5", "m5", "r5"}));
  EXPECT_EQ(resolved->size(), 24u);
}

TEST(InstanceCatalogTest, EmptyListAndDefaultX86MeanTheSameAsOptimal) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto optimal = catalog.Resolve({"optimal"});
  auto empty = catalog.Resolve({});
  auto default_x86 = catalog.Resolve({"default_x86_64"});

  ASSERT_TRUE(optimal.ok() && empty.ok() && default_x86.ok());
  EXPECT_EQ(Names(*empty), Names(*optimal));
  EXPECT_EQ(Names(*default_x86), Names(*optimal));
}

TEST(InstanceCatalogTest, DefaultArm64ResolvesToTheGravitonTypes) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"default_arm64"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_THAT(Names(*resolved),
              ElementsAre("m6g.medium", "m6g.large", "m6g.xlarge", "m6g.2xlarge", "m6g.4xlarge"));
}

TEST(InstanceCatalogTest, MixingArm64AndX86TypesIsRejected) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"c5.large", "m6g.large"});

  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(resolved.error().message, HasSubstr("c5.large is x86_64"));
  EXPECT_THAT(resolved.error().message, HasSubstr("m6g.large is arm64"));
}

TEST(InstanceCatalogTest, UnknownNameIsRejectedByName) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"c5.large", "z9.huge"});

  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(resolved.error().message, HasSubstr("z9.huge"));
}

TEST(InstanceCatalogTest, TypesNamedMoreThanOnceAppearOnce) {
  InstanceCatalog catalog = InstanceCatalog::BuiltIn();

  auto resolved = catalog.Resolve({"c5", "c5.large", "optimal", "c5.large"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(resolved->size(), 24u);
  std::vector<std::string> names = Names(*resolved);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
}

TEST(InstanceCatalogTest, OmittedFieldsTakeTheirDefaults) {
  auto catalog = InstanceCatalog::Parse(OneEntry(kValidFields));

  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  const InstanceType* box = catalog->Find("box.large");

  ASSERT_NE(box, nullptr);
  EXPECT_EQ(box->family, "box");
  EXPECT_EQ(box->gpus, 0);
  EXPECT_EQ(box->architecture, "x86_64");
  EXPECT_DOUBLE_EQ(box->spot_per_hour, 0.1);
  EXPECT_EQ(box->interruption, InterruptionBand::kUnder5);
  EXPECT_TRUE(catalog->optimal_families().empty());
}

TEST(InstanceCatalogTest, ExplicitFamilyReplacesThePrefixOfTheName) {
  auto catalog = InstanceCatalog::Parse(
      R"({"instanceTypes": [{"name": "rack-a-node", "family": "rack-a", "vcpus": 64,
          "memoryMiB": 262144, "gpus": 2, "architecture": "arm64", "onDemandPricePerHour": 0,
          "spotPricePerHour": 0, "spotInterruption": ">20%"}]})");

  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  auto resolved = catalog->Resolve({"rack-a"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  ASSERT_THAT(Names(*resolved), ElementsAre("rack-a-node"));
  EXPECT_EQ((*resolved)[0].gpus, 2);
  EXPECT_EQ((*resolved)[0].architecture, "arm64");
  EXPECT_EQ((*resolved)[0].interruption, InterruptionBand::kOver20);
}

TEST(InstanceCatalogTest, WithoutOptimalFamiliesOptimalIsEveryX86Type) {
  auto catalog = InstanceCatalog::Parse(R"({"instanceTypes": [
      {"name": "big.x", "vcpus": 8, "memoryMiB": 8192, "onDemandPricePerHour": 1},
      {"name": "small.x", "vcpus": 2, "memoryMiB": 2048, "onDemandPricePerHour": 0.2},
      {"name": "pi.x", "vcpus": 4, "memoryMiB": 4096, "architecture": "arm64",
       "onDemandPricePerHour": 0.01}]})");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;

  auto resolved = catalog->Resolve({"optimal"});

  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_THAT(Names(*resolved), ElementsAre("small.x", "big.x"));
}

TEST(InstanceCatalogTest, DefaultArm64WithNoArm64TypesIsRejected) {
  auto catalog = InstanceCatalog::Parse(OneEntry(kValidFields));
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;

  auto resolved = catalog->Resolve({"default_arm64"});

  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(resolved.error().message, HasSubstr("default_arm64"));
}

TEST(InstanceCatalogTest, MalformedJsonIsRejected) {
  std::string message = ParseError(R"({"instanceTypes": [)");

  EXPECT_THAT(message, HasSubstr("not valid JSON"));
}

TEST(InstanceCatalogTest, CatalogThatIsNotAnObjectOrHasNoTypesIsRejected) {
  EXPECT_THAT(ParseError("[]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(ParseError("{}"), HasSubstr("instanceTypes is required"));
  EXPECT_THAT(ParseError(R"({"instanceTypes": {}})"), HasSubstr("instanceTypes must be a list"));
  EXPECT_THAT(ParseError(R"({"instanceTypes": []})"), HasSubstr("at least one"));
  EXPECT_THAT(ParseError(R"({"instanceTypes": [7]})"), HasSubstr("instanceTypes[0] must be an"));
}

TEST(InstanceCatalogTest, MissingNameIsRejectedWithTheEntryIndex) {
  std::string message = ParseError(R"({"instanceTypes": [
      {"name": "a.x", "vcpus": 2, "memoryMiB": 2048, "onDemandPricePerHour": 0.2},
      {"vcpus": 2, "memoryMiB": 2048, "onDemandPricePerHour": 0.2}]})");

  EXPECT_EQ(message, "instanceTypes[1]: name is required");
}

TEST(InstanceCatalogTest, NegativePriceIsRejectedNamingEntryAndField) {
  std::string message =
      ParseError(OneEntry(R"("vcpus": 2, "memoryMiB": 4096, "onDemandPricePerHour": -0.1)"));

  EXPECT_EQ(message,
            "instanceTypes[0] (box.large): onDemandPricePerHour must be a non-negative number, "
            "got -0.1");
}

TEST(InstanceCatalogTest, NegativeSpotPriceIsRejected) {
  std::string message =
      ParseError(OneEntry(std::string(kValidFields) + R"(, "spotPricePerHour": -1)"));

  EXPECT_THAT(message, HasSubstr("(box.large): spotPricePerHour must be a non-negative number"));
}

TEST(InstanceCatalogTest, ZeroVcpusAndZeroMemoryAreRejected) {
  std::string vcpus =
      ParseError(OneEntry(R"("vcpus": 0, "memoryMiB": 4096, "onDemandPricePerHour": 0.1)"));
  std::string memory =
      ParseError(OneEntry(R"("vcpus": 2, "memoryMiB": 0, "onDemandPricePerHour": 0.1)"));

  EXPECT_EQ(vcpus, "instanceTypes[0] (box.large): vcpus must be a positive integer, got 0");
  EXPECT_EQ(memory, "instanceTypes[0] (box.large): memoryMiB must be a positive integer, got 0");
}

TEST(InstanceCatalogTest, MissingRequiredNumbersAreRejected) {
  EXPECT_THAT(ParseError(OneEntry(R"("memoryMiB": 4096, "onDemandPricePerHour": 0.1)")),
              HasSubstr("vcpus is required"));
  EXPECT_THAT(ParseError(OneEntry(R"("vcpus": 2, "onDemandPricePerHour": 0.1)")),
              HasSubstr("memoryMiB is required"));
  EXPECT_THAT(ParseError(OneEntry(R"("vcpus": 2, "memoryMiB": 4096)")),
              HasSubstr("onDemandPricePerHour is required"));
}

TEST(InstanceCatalogTest, UnknownInterruptionBandIsRejected) {
  std::string message =
      ParseError(OneEntry(std::string(kValidFields) + R"(, "spotInterruption": "3%")"));

  EXPECT_THAT(message, HasSubstr("instanceTypes[0] (box.large): spotInterruption must be one of"));
  EXPECT_THAT(message, HasSubstr(R"(got "3%")"));
}

TEST(InstanceCatalogTest, UnknownArchitectureIsRejected) {
  std::string message =
      ParseError(OneEntry(std::string(kValidFields) + R"(, "architecture": "i386")"));

  EXPECT_THAT(message, HasSubstr("architecture must be x86_64 or arm64"));
}

TEST(InstanceCatalogTest, DuplicateNameIsRejectedNamingBothEntries) {
  std::string message = ParseError(R"({"instanceTypes": [
      {"name": "a.x", "vcpus": 2, "memoryMiB": 2048, "onDemandPricePerHour": 0.2},
      {"name": "b.x", "vcpus": 2, "memoryMiB": 2048, "onDemandPricePerHour": 0.2},
      {"name": "a.x", "vcpus": 4, "memoryMiB": 4096, "onDemandPricePerHour": 0.4}]})");

  EXPECT_EQ(message, "instanceTypes[2] (a.x): name repeats instanceTypes[0]");
}

TEST(InstanceCatalogTest, FieldsOfTheWrongTypeAreRejected) {
  EXPECT_EQ(ParseError(R"({"instanceTypes": [{"name": 5}]})"),
            "instanceTypes[0]: name must be a string, got 5");
  EXPECT_EQ(ParseError(OneEntry(R"("vcpus": "2", "memoryMiB": 4096, "onDemandPricePerHour": 0.1)")),
            R"(instanceTypes[0] (box.large): vcpus must be a positive integer, got "2")");
  EXPECT_THAT(ParseError(OneEntry(R"("vcpus": 2, "memoryMiB": 1.5, "onDemandPricePerHour": 0.1)")),
              HasSubstr("memoryMiB must be a positive integer, got 1.5"));
  EXPECT_THAT(
      ParseError(OneEntry(R"("vcpus": 2, "memoryMiB": 4096, "onDemandPricePerHour": "cheap")")),
      HasSubstr("onDemandPricePerHour must be a non-negative number"));
  EXPECT_THAT(ParseError(OneEntry(std::string(kValidFields) + R"(, "gpus": [1])")),
              HasSubstr("gpus must be a non-negative integer, got array"));
  EXPECT_THAT(ParseError(OneEntry(std::string(kValidFields) + R"(, "architecture": 64)")),
              HasSubstr("architecture must be a string"));
}

TEST(InstanceCatalogTest, VcpusBeyond32BitsAreRejected) {
  std::string message = ParseError(
      OneEntry(R"("vcpus": 4294967296, "memoryMiB": 4096, "onDemandPricePerHour": 0.1)"));

  EXPECT_THAT(message, HasSubstr("vcpus must be a positive integer"));
}

TEST(InstanceCatalogTest, MisspeltFieldIsRejectedRatherThanDefaulted) {
  std::string message = ParseError(OneEntry(std::string(kValidFields) + R"(, "gpu": 1)"));

  EXPECT_EQ(message, "instanceTypes[0] (box.large): gpu is not a known field");
}

TEST(InstanceCatalogTest, ReservedKeywordCannotBeATypeName) {
  std::string message =
      ParseError(R"({"instanceTypes": [{"name": "optimal", "vcpus": 2, "memoryMiB": 2048,
                     "onDemandPricePerHour": 0.2}]})");

  EXPECT_EQ(message, "instanceTypes[0] (optimal): name is reserved");
}

TEST(InstanceCatalogTest, OptimalFamilyThatNoTypeBelongsToIsRejected) {
  std::string message = ParseError(R"({"optimalFamilies": ["box", "c4"],
      "instanceTypes": [{"name": "box.large", "vcpus": 2, "memoryMiB": 4096,
                         "onDemandPricePerHour": 0.1}]})");

  EXPECT_THAT(message, HasSubstr("optimalFamilies[1] names family c4"));
}

TEST(InstanceCatalogTest, OptimalFamiliesOfTheWrongTypeAreRejected) {
  EXPECT_THAT(ParseError(R"({"optimalFamilies": "c5", "instanceTypes": [{"name": "c5.large",
                "vcpus": 2, "memoryMiB": 4096, "onDemandPricePerHour": 0.1}]})"),
              HasSubstr("optimalFamilies must be a list of strings"));
  EXPECT_THAT(ParseError(R"({"optimalFamilies": [5], "instanceTypes": [{"name": "c5.large",
                "vcpus": 2, "memoryMiB": 4096, "onDemandPricePerHour": 0.1}]})"),
              HasSubstr("optimalFamilies[0] must be a string"));
}

// A fresh directory per test (hermetic), removed afterwards.
class InstanceCatalogLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "barge-fleet-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(InstanceCatalogLoadTest, MissingFileIsNotFound) {
  std::string path = (dir_ / "absent.json").string();

  auto catalog = InstanceCatalog::Load(path);

  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(catalog.error().message, HasSubstr(path));
}

TEST_F(InstanceCatalogLoadTest, DirectoryIsNotFound) {
  auto catalog = InstanceCatalog::Load(dir_.string());

  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().code, ErrorCode::kNotFound);
}

TEST_F(InstanceCatalogLoadTest, ReadsTheUsersOwnCatalog) {
  std::string path = Write("mine.json", OneEntry(kValidFields));

  auto catalog = InstanceCatalog::Load(path);

  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  EXPECT_THAT(Names(catalog->types()), ElementsAre("box.large"));
}

TEST_F(InstanceCatalogLoadTest, InvalidFileIsInvalidArgumentNamingThePath) {
  std::string path = Write("bad.json", OneEntry(R"("vcpus": 0)"));

  auto catalog = InstanceCatalog::Load(path);

  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(catalog.error().message, HasSubstr(path));
  EXPECT_THAT(catalog.error().message, HasSubstr("vcpus must be a positive integer"));
}

}  // namespace
}  // namespace barge::fleet
