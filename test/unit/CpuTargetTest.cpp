// Unit tests of the target registry and CPU target resolution: the named levels require what
// they promise, and an unknown name is an error that lists the registered ones.
#include "targets/AllTargets.h"
#include "targets/CPU/CpuTarget.h"

#include "dlc/runtime.h"

#include <catch2/catch.hpp>

TEST_CASE("x86-64-v4 requires AVX-512 and everything x86-64-v3 does", "[target]") {
  auto v3 = dlc::cpu::resolveCpuModel("x86-64-v3");
  auto v4 = dlc::cpu::resolveCpuModel("x86-64-v4");
  REQUIRE(static_cast<bool>(v3));
  REQUIRE(static_cast<bool>(v4));
  CHECK((v3->requiredCpu & DLC_CPU_AVX2));
  CHECK((v3->requiredCpu & DLC_CPU_FMA));
  CHECK(!(v3->requiredCpu & DLC_CPU_AVX512F));
  CHECK((v4->requiredCpu & v3->requiredCpu) == v3->requiredCpu);
  CHECK((v4->requiredCpu & DLC_CPU_AVX512F));
}

TEST_CASE("the host target requires only what this CPU has", "[target]") {
  auto host = dlc::cpu::resolveCpuModel("host");
  REQUIRE(static_cast<bool>(host));
  CHECK(dlc_rt_check_cpu(host->requiredCpu) == DLC_STATUS_OK);
}

TEST_CASE("the registry holds the CPU targets and creates each", "[target]") {
  dlc::targets::registerAllTargets();
  dlc::targets::registerAllTargets(); // a second call registers nothing twice
  std::vector<std::string> names;
  for (const dlc::targets::TargetInfo &info : dlc::targets::registeredTargets())
    names.push_back(info.name);
  CHECK(names == std::vector<std::string>{"host", "x86-64-v3", "x86-64-v4", "znver3", "znver4",
                                          "znver5", "skylake-avx512", "cascadelake",
                                          "icelake-server", "sapphirerapids", "emeraldrapids",
                                          "xeon-amx"});
  for (const std::string &name : names) {
    auto target = dlc::targets::createTarget(name);
    REQUIRE(static_cast<bool>(target));
    CHECK((*target)->info().name == name);
    CHECK((*target)->runtimeComponents() ==
          std::vector<std::string>{"cpu_features", "profile", "thread_pool"});
  }
}

TEST_CASE("an unknown target names the registered ones", "[target]") {
  dlc::targets::registerAllTargets();
  auto target = dlc::targets::createTarget("pentium");
  REQUIRE(!target);
  CHECK_THAT(llvm::toString(target.takeError()),
             Catch::Contains("unknown target 'pentium'") &&
                 Catch::Contains("host, x86-64-v3, x86-64-v4, znver3"));
}

TEST_CASE("a named CPU requires LLVM's features for it, AMX aside", "[target]") {
  auto zen3 = dlc::cpu::resolveCpuModel("znver3");
  auto xeon = dlc::cpu::resolveCpuModel("emeraldrapids");
  REQUIRE(static_cast<bool>(zen3));
  REQUIRE(static_cast<bool>(xeon));
  CHECK((zen3->requiredCpu & DLC_CPU_AVX2));
  CHECK(!(zen3->requiredCpu & DLC_CPU_AVX512F));
  CHECK((xeon->requiredCpu & DLC_CPU_AVX512VNNI));
  CHECK((xeon->requiredCpu & DLC_CPU_AVX512BF16));
  CHECK(!(xeon->requiredCpu & (DLC_CPU_AMX_TILE | DLC_CPU_AMX_BF16 | DLC_CPU_AMX_INT8)));
  CHECK(!dlc::cpu::computesBF16(*xeon)); // vdpbf16ps runs at half FMA's rate there
}

TEST_CASE("xeon-amx requires AMX and defaults to bf16; emulated, it does not require AMX",
          "[target]") {
  constexpr uint64_t amx = DLC_CPU_AMX_TILE | DLC_CPU_AMX_BF16 | DLC_CPU_AMX_INT8;
  auto model = dlc::cpu::resolveCpuModel("xeon-amx");
  REQUIRE(static_cast<bool>(model));
  CHECK(model->amx);
  CHECK((model->requiredCpu & amx) == amx);
  CHECK((model->requiredCpu & DLC_CPU_AVX512BF16));
  CHECK((model->requiredCpu & DLC_CPU_AVX512VNNI));
  CHECK(dlc::cpu::computesBF16(*model));
  dlc::targets::registerAllTargets();
  const dlc::targets::TargetInfo *info = dlc::targets::findTarget("xeon-amx");
  REQUIRE(info);
  CHECK(info->defaultPrecision == "bf16");
  CHECK((info->precisions & dlc::targets::kPrecisionInt8));
  dlc::cpu::setAmxEmulation(true);
  auto emulated = dlc::cpu::resolveCpuModel("xeon-amx");
  dlc::cpu::setAmxEmulation(false);
  REQUIRE(static_cast<bool>(emulated));
  CHECK(emulated->emulateAmx);
  CHECK(!(emulated->requiredCpu & amx));
}

TEST_CASE("register blocks fill the CPU's vector registers", "[target]") {
  auto describe = [](const char *name) {
    auto model = dlc::cpu::resolveCpuModel(name);
    REQUIRE(static_cast<bool>(model));
    return dlc::cpu::describeCpu(*model);
  };
  dlc::cpu::CpuDescription zen3 = describe("znver3"), xeon = describe("emeraldrapids");
  CHECK(zen3.lanes() == 8);
  CHECK(zen3.vectorRegisters == 16);
  CHECK(zen3.caches.l2 == 512 << 10);
  CHECK(xeon.lanes() == 16);
  CHECK(xeon.caches.l2 == 2 << 20);
  // AVX2: 6 rows x 2 ymm accumulators + 2 panel vectors + 1 broadcast = 15 of 16 registers.
  dlc::cpu::RegisterBlock avx2 = dlc::cpu::productBlock(zen3), avx512 = dlc::cpu::productBlock(xeon);
  CHECK(avx2.rows == 6);
  CHECK(avx2.columns == 16);
  CHECK(avx512.rows == 8);
  CHECK(avx512.columns == 32);
}
