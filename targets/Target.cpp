// The target registry: the names `--target` accepts, each with the factory of its target.
// Targets add themselves through registerTarget (see AllTargets.cpp).
#include "targets/Target.h"

namespace dlc::targets {

namespace {

/// The registered targets, in registration order.
std::vector<TargetInfo> &registry() {
  static std::vector<TargetInfo> targets;
  return targets;
}

} // namespace

Target::~Target() = default;

std::string Target::headerExtras(const ModelSignature &) const { return ""; }

void Target::printDescription(llvm::raw_ostream &) const {}

std::string Target::tuningKey() const { return ""; }

std::string describePrecisions(unsigned precisions) {
  static const std::pair<unsigned, const char *> kNames[] = {{kPrecisionF32, "f32"},
                                                             {kPrecisionBF16, "bf16"},
                                                             {kPrecisionF16, "f16"},
                                                             {kPrecisionInt8, "int8"}};
  std::string text;
  for (auto [bit, name] : kNames)
    if (precisions & bit)
      text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

void registerTarget(TargetInfo info) {
  for (const TargetInfo &known : registry())
    if (known.name == info.name)
      llvm::report_fatal_error("target '" + llvm::Twine(info.name) + "' registered twice");
  registry().push_back(std::move(info));
}

llvm::ArrayRef<TargetInfo> registeredTargets() { return registry(); }

const TargetInfo *findTarget(llvm::StringRef name) {
  for (const TargetInfo &info : registry())
    if (info.name == name)
      return &info;
  return nullptr;
}

std::string registeredTargetNames() {
  std::string names;
  for (const TargetInfo &info : registry())
    names += (names.empty() ? "" : ", ") + info.name;
  return names;
}

llvm::Expected<std::unique_ptr<Target>> createTarget(llvm::StringRef name) {
  if (const TargetInfo *info = findTarget(name))
    return info->create(*info);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "unknown target '" + name + "' (registered targets: " +
                                     registeredTargetNames() + ")");
}

} // namespace dlc::targets
