// Unit tests of CPU target resolution: the named levels require what they promise, and an
// unknown name is an error that lists the valid ones.
#include "targets/CPU/CpuTarget.h"

#include "dlc/runtime.h"

#include <catch2/catch.hpp>

TEST_CASE("x86-64-v4 requires AVX-512 and everything x86-64-v3 does", "[target]") {
  auto v3 = dlc::targets::resolveCpuTarget("x86-64-v3");
  auto v4 = dlc::targets::resolveCpuTarget("x86-64-v4");
  REQUIRE(static_cast<bool>(v3));
  REQUIRE(static_cast<bool>(v4));
  CHECK((v3->requiredCpu & DLC_CPU_AVX2));
  CHECK((v3->requiredCpu & DLC_CPU_FMA));
  CHECK(!(v3->requiredCpu & DLC_CPU_AVX512F));
  CHECK((v4->requiredCpu & v3->requiredCpu) == v3->requiredCpu);
  CHECK((v4->requiredCpu & DLC_CPU_AVX512F));
}

TEST_CASE("the host target requires only what this CPU has", "[target]") {
  auto host = dlc::targets::resolveCpuTarget("host");
  REQUIRE(static_cast<bool>(host));
  CHECK(dlc_rt_check_cpu(host->requiredCpu) == DLC_STATUS_OK);
}

TEST_CASE("an unknown target names the valid ones", "[target]") {
  auto target = dlc::targets::resolveCpuTarget("pentium");
  REQUIRE(!target);
  CHECK_THAT(llvm::toString(target.takeError()),
             Catch::Contains("unknown target 'pentium'") && Catch::Contains("x86-64-v4"));
}
