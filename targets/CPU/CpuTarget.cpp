// The x86-64 CPU targets: name resolution to LLVM CPU and feature strings, the runtime feature
// bits the library checks (runtime/include/dlc/runtime.h), and registration.
#include "targets/CPU/CpuTarget.h"

#include "targets/CPU/Transforms/Passes.h"

#include "dlc/runtime.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"

namespace dlc::cpu {
namespace {

struct FeatureBit {
  const char *llvmName;
  uint64_t bit;
};

constexpr FeatureBit kFeatureBits[] = {
    {"sse4.2", DLC_CPU_SSE42},         {"avx", DLC_CPU_AVX},
    {"avx2", DLC_CPU_AVX2},            {"fma", DLC_CPU_FMA},
    {"f16c", DLC_CPU_F16C},            {"bmi2", DLC_CPU_BMI2},
    {"avx512f", DLC_CPU_AVX512F},      {"avx512bw", DLC_CPU_AVX512BW},
    {"avx512dq", DLC_CPU_AVX512DQ},    {"avx512vl", DLC_CPU_AVX512VL},
    {"avx512cd", DLC_CPU_AVX512CD},    {"avx512vnni", DLC_CPU_AVX512VNNI},
    {"avx512bf16", DLC_CPU_AVX512BF16}, {"amx-tile", DLC_CPU_AMX_TILE},
    {"amx-bf16", DLC_CPU_AMX_BF16},    {"amx-int8", DLC_CPU_AMX_INT8},
};

/// The CPUs that are targets by their LLVM name, with what each is. Their features are LLVM's
/// for that CPU; AMX is left out (the fp32, bf16 and int8 kernels do not use it, and a
/// hypervisor may hide it), their cache sizes and pipes come from CpuDescription.cpp's table.
struct NamedCpu {
  const char *name, *summary;
};
constexpr NamedCpu kNamedCpus[] = {
    {"znver3", "AMD Zen 3 (EPYC 7003, Ryzen 5000): AVX2"},
    {"znver4", "AMD Zen 4 (EPYC 9004): AVX-512 with VNNI and BF16"},
    {"znver5", "AMD Zen 5 (EPYC 9005): AVX-512 with VNNI and BF16"},
    {"skylake-avx512", "Intel Xeon Scalable 1st generation (Skylake-SP): AVX-512"},
    {"cascadelake", "Intel Xeon Scalable 2nd generation (Cascade Lake): AVX-512 with VNNI"},
    {"icelake-server", "Intel Xeon Scalable 3rd generation (Ice Lake-SP): AVX-512 with VNNI"},
    {"sapphirerapids",
     "Intel Xeon Scalable 4th generation (Sapphire Rapids): AVX-512 with VNNI, BF16 and FP16"},
    {"emeraldrapids",
     "Intel Xeon Scalable 5th generation (Emerald Rapids): AVX-512 with VNNI, BF16 and FP16"},
};

constexpr uint64_t kAmx = DLC_CPU_AMX_TILE | DLC_CPU_AMX_BF16 | DLC_CPU_AMX_INT8;

bool amxEmulation = false;

/// The DLC_CPU_* bit of an LLVM feature name ("avx2"), or 0.
uint64_t featureBit(llvm::StringRef feature) {
  for (const FeatureBit &bit : kFeatureBits)
    if (feature == bit.llvmName)
      return bit.bit;
  return 0;
}

constexpr uint64_t kX86_64_V3 =
    DLC_CPU_SSE42 | DLC_CPU_AVX | DLC_CPU_AVX2 | DLC_CPU_FMA | DLC_CPU_F16C | DLC_CPU_BMI2;
constexpr uint64_t kX86_64_V4 = kX86_64_V3 | DLC_CPU_AVX512F | DLC_CPU_AVX512BW |
                                DLC_CPU_AVX512DQ | DLC_CPU_AVX512VL | DLC_CPU_AVX512CD;

/// A CPU target: the x86 pipeline and code generator for one resolved CPU model.
class CpuTarget final : public targets::Target {
public:
  CpuTarget(const targets::TargetInfo &info, CpuModel model)
      : Target(info), model_(std::move(model)), description_(describeCpu(model_)) {}

  bool supportsElementType(mlir::Type type) const override {
    // Every integer and float width the graph dialect has: LLVM legalizes each on x86-64.
    return type.isIntOrIndexOrFloat();
  }

  void addPasses(mlir::OpPassManager &pm, targets::Stage stage) const override {
    addCpuPasses(pm, stage, model_, description_);
  }

  void printDescription(llvm::raw_ostream &os) const override {
    printCpuDescription(description_, os);
  }

  std::string tuningKey() const override { return model_.cpu; }

  llvm::Expected<std::vector<targets::ObjectFile>>
  generateCode(llvm::ArrayRef<mlir::ModuleOp> parts, const targets::ModelSignature &signature,
               targets::CodeKind kind) const override {
    return generateCpuCode(model_, parts, signature, kind);
  }

  std::vector<std::string> runtimeComponents() const override {
    // The feature check NAME_run makes first, the pool its parallel loops run on, and the
    // event buffer of a library compiled with --profile (linked only where it is called).
    return {"cpu_features", "profile", "thread_pool"};
  }

private:
  CpuModel model_;
  CpuDescription description_;
};

/// The registry entry of `name`: what the generated code requires of the machine and the
/// precisions its kernels compute in: int8 products where the CPU has AVX512-VNNI, bf16
/// products where its AVX512-BF16 dot product outruns fp32 FMA (or AMX computes them).
targets::TargetInfo cpuTargetInfo(std::string name, std::string summary,
                                  std::string requirements) {
  targets::TargetInfo info;
  info.name = std::move(name);
  info.summary = std::move(summary);
  info.requirements = std::move(requirements);
  info.precisions = targets::kPrecisionF32;
  if (auto model = resolveCpuModel(info.name)) {
    if (model->requiredCpu & DLC_CPU_AVX512VNNI)
      info.precisions |= targets::kPrecisionInt8;
    if (computesBF16(*model))
      info.precisions |= targets::kPrecisionBF16;
  } else {
    llvm::consumeError(model.takeError());
  }
  info.create = [](const targets::TargetInfo &info)
      -> llvm::Expected<std::unique_ptr<targets::Target>> {
    auto model = resolveCpuModel(info.name);
    if (!model)
      return model.takeError();
    return std::make_unique<CpuTarget>(info, std::move(*model));
  };
  return info;
}

void registerCpuTarget(std::string name, std::string summary, std::string requirements) {
  targets::registerTarget(
      cpuTargetInfo(std::move(name), std::move(summary), std::move(requirements)));
}

/// Registers xeon-amx: bf16 by default, whose products and convolutions run on AMX tiles.
void registerAmxTarget() {
  targets::TargetInfo info = cpuTargetInfo(
      kAmxTargetName,
      "Intel Xeon with AMX (Sapphire Rapids and later): bf16 and int8 products on AMX tiles, "
      "AVX-512 around them",
      "the CPU features LLVM lists for sapphirerapids, AMX-TILE, AMX-BF16 and AMX-INT8 among "
      "them, and an OS that grants AMX state (Linux 5.16 or later)");
  info.defaultPrecision = "bf16";
  info.precisionNote = [](llvm::StringRef precision, bool byDefault) -> std::string {
    if (precision == "bf16" && byDefault)
      return "matrix products and convolutions with constant weights compute in bf16 on AMX "
             "tiles (a QDQ model's quantized ones in int8), the other ops in fp32 "
             "(--precision=fp32 keeps every op in fp32)";
    if (precision == "fp32")
      return "--precision=fp32: every op computes in fp32 with AVX-512; AMX is not used";
    return "";
  };
  targets::registerTarget(std::move(info));
}

} // namespace

/// vdpbf16ps's multiply-add rate over fp32 FMA's, per LLVM CPU name, as `dlc bench --peak`
/// measures it on one core: the CPUs where it is known. Zen 5 issues it as fast as
/// FMA with twice the products; Emerald Rapids at half FMA's rate, so bf16 products would
/// take longer than fp32 ones there.
double measuredBF16Speedup(llvm::StringRef cpu) {
  return llvm::StringSwitch<double>(cpu)
      .Case("znver5", 2.0)        // AMD EPYC family 26 model 2: 575 / 288 GFLOP/s
      .Case("emeraldrapids", 0.5) // Intel Xeon family 6 model 207
      .Default(0.0);
}

bool computesBF16(const CpuModel &model) {
  return model.amx ||
         ((model.requiredCpu & DLC_CPU_AVX512BF16) && measuredBF16Speedup(model.cpu) > 1.0);
}

void setAmxEmulation(bool emulate) { amxEmulation = emulate; }

llvm::Expected<CpuModel> resolveCpuModel(llvm::StringRef name) {
  CpuModel model;
  model.triple = llvm::sys::getDefaultTargetTriple();
  if (name == "host") {
    model.cpu = llvm::sys::getHostCPUName().str();
    model.isHost = true;
    std::string features;
    for (const auto &feature : llvm::sys::getHostCPUFeatures()) {
      features += (features.empty() ? "" : ",") + std::string(feature.second ? "+" : "-") +
                  feature.first().str();
      if (feature.second)
        model.requiredCpu |= featureBit(feature.first());
    }
    model.features = features;
    // A machine with AMX computes its bf16 and int8 products on tiles, as xeon-amx does.
    model.amx = (model.requiredCpu & kAmx) == kAmx;
  } else if (name == "x86-64-v3") {
    model.cpu = "x86-64-v3";
    model.requiredCpu = kX86_64_V3;
  } else if (name == "x86-64-v4") {
    model.cpu = "x86-64-v4";
    model.requiredCpu = kX86_64_V4;
  } else if (name == kAmxTargetName) {
    // Sapphire Rapids is the first Xeon with AMX; its LLVM features are those of every later
    // one (Emerald Rapids, Granite Rapids) that the kernels use.
    model.cpu = "sapphirerapids";
    model.amx = true;
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(model.cpu, features, /*NeedPlus=*/true);
    for (llvm::StringRef feature : features)
      model.requiredCpu |= featureBit(feature.drop_front());
    model.features = "+amx-tile,+amx-int8,+amx-bf16";
    model.emulateAmx = amxEmulation;
    if (model.emulateAmx)
      model.requiredCpu &= ~kAmx;
  } else if (llvm::any_of(kNamedCpus, [&](const NamedCpu &cpu) { return name == cpu.name; })) {
    model.cpu = name.str();
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(name, features, /*NeedPlus=*/true);
    for (llvm::StringRef feature : features)
      model.requiredCpu |= featureBit(feature.drop_front());
    model.requiredCpu &= ~kAmx;
    model.features = "-amx-tile,-amx-int8,-amx-bf16";
  } else {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "'" + name + "' is not a CPU target");
  }
  if (!llvm::Triple(model.triple).isX86())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "target '" + name + "' needs an x86-64 machine, this is " +
                                       model.triple);
  return model;
}

void registerCpuTargets() {
  registerCPUPasses();
  registerCpuTarget("host", "this machine's CPU, with every feature it has (the default)",
                    "the same CPU features as the machine that compiled the model");
  registerCpuTarget("x86-64-v3", "x86-64 with AVX2 and FMA (Haswell, Zen 1 and later)",
                    "x86-64 with SSE4.2, AVX, AVX2, FMA, F16C and BMI2");
  registerCpuTarget("x86-64-v4", "x86-64 with AVX-512 (Skylake-SP, Zen 4 and later)",
                    "x86-64-v3 plus AVX-512 F, BW, CD, DQ and VL");
  for (const NamedCpu &cpu : kNamedCpus)
    registerCpuTarget(cpu.name, cpu.summary,
                      std::string("the CPU features LLVM lists for ") + cpu.name +
                          " (AMX aside)");
  registerAmxTarget();
}

} // namespace dlc::cpu
