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
  CHECK(names == std::vector<std::string>{"host", "x86-64-v3", "x86-64-v4"});
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
                 Catch::Contains("host, x86-64-v3, x86-64-v4"));
}
