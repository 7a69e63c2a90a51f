// Reading the devices file (docs/devices.md) and the `--ranks=N` shorthand for this machine.
#include "compiler/Parallel/Devices.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

namespace dlc::parallel {
namespace {

llvm::Error fail(const std::string &what, const llvm::Twine &reason) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what + ": " + reason);
}

/// A positive number at `key` of `object`, or an error naming `where`.`key`.
llvm::Expected<double> positive(const llvm::json::Object &object, llvm::StringRef key,
                                const std::string &what, const std::string &where) {
  std::optional<double> value = object.getNumber(key);
  if (!value)
    return fail(what, "'" + where + "." + key + "' is missing or not a number");
  if (!(*value > 0))
    return fail(what, "'" + where + "." + key + "' must be positive, not " +
                          std::to_string(*value));
  return *value;
}

const char *kKinds[] = {"cpu", "gpu"};

} // namespace

int64_t Devices::ranks() const {
  int64_t ranks = 1;
  for (const Level &level : levels)
    ranks *= level.count;
  return ranks;
}

const Level *Devices::linkFor(int64_t size) const { return linkFor(size, 1); }

const Level *Devices::linkFor(int64_t size, int64_t stride) const {
  if (size <= 1)
    return nullptr;
  int64_t span = size * stride, group = 1;
  for (const Level &level : levels) {
    group *= level.count;
    if (group >= span)
      return &level;
  }
  return levels.empty() ? nullptr : &levels.back();
}

llvm::Expected<Devices> parseDevices(llvm::StringRef text, const std::string &what) {
  llvm::Expected<llvm::json::Value> document = llvm::json::parse(text);
  if (!document)
    return fail(what, "not JSON: " + llvm::toString(document.takeError()));
  const llvm::json::Object *root = document->getAsObject();
  if (!root)
    return fail(what, "the top level must be an object");
  if (root->getString("format") != "dlc-devices")
    return fail(what, "'format' must be \"dlc-devices\"");
  if (root->getInteger("version") != 1)
    return fail(what, "'version' must be 1, the only version this dlc reads");

  Devices devices;
  const llvm::json::Object *device = root->getObject("device");
  if (!device)
    return fail(what, "'device' (what each rank is) is missing or not an object");
  std::optional<llvm::StringRef> kind = device->getString("kind");
  if (!kind || llvm::find(kKinds, *kind) == std::end(kKinds))
    return fail(what, "'device.kind' must be \"cpu\" or \"gpu\"");
  devices.device.kind = kind->str();
  devices.device.name = device->getString("name").value_or(*kind).str();
  devices.device.target =
      device->getString("target").value_or(*kind == "cpu" ? "host" : "cuda-sm90").str();
  for (auto [key, field] : {std::pair{"gflops", &devices.device.gflops},
                            std::pair{"memory_gib", &devices.device.memoryGiB},
                            std::pair{"memory_gbps", &devices.device.memoryGBps}}) {
    llvm::Expected<double> value = positive(*device, key, what, "device");
    if (!value)
      return value.takeError();
    *field = *value;
  }
  if (device->get("efficiency")) {
    llvm::Expected<double> value = positive(*device, "efficiency", what, "device");
    if (!value)
      return value.takeError();
    if (*value > 1)
      return fail(what, "'device.efficiency' is a share of 'gflops': at most 1");
    devices.device.efficiency = *value;
  }
  devices.device.opOverheadUs = *kind == "gpu" ? 5 : 1;
  if (device->get("op_overhead_us")) {
    std::optional<double> value = device->getNumber("op_overhead_us");
    if (!value || *value < 0)
      return fail(what, "'device.op_overhead_us' must be a number of microseconds, 0 or more");
    devices.device.opOverheadUs = *value;
  }

  const llvm::json::Array *levels = root->getArray("levels");
  if (!levels || levels->empty())
    return fail(what, "'levels' (the links between ranks, innermost first) is missing or empty");
  for (size_t i = 0; i < levels->size(); ++i) {
    std::string where = "levels[" + std::to_string(i) + "]";
    const llvm::json::Object *object = (*levels)[i].getAsObject();
    if (!object)
      return fail(what, "'" + where + "' must be an object");
    Level level;
    level.name = object->getString("name").value_or("level " + std::to_string(i)).str();
    std::optional<int64_t> count = object->getInteger("count");
    if (!count || *count < 1)
      return fail(what, "'" + where + ".count' (members per group) must be a positive integer");
    level.count = *count;
    llvm::Expected<double> gbps = positive(*object, "gbps", what, where);
    if (!gbps)
      return gbps.takeError();
    level.gbps = *gbps;
    llvm::Expected<double> latency = positive(*object, "latency_us", what, where);
    if (!latency)
      return latency.takeError();
    level.latencyUs = *latency;
    devices.levels.push_back(std::move(level));
  }
  if (devices.ranks() > (1 << 20))
    return fail(what, std::to_string(devices.ranks()) + " ranks: more than this dlc plans for");
  return devices;
}

llvm::Expected<Devices> readDevices(const std::string &path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> text = llvm::MemoryBuffer::getFile(path);
  if (!text)
    return fail(path, "cannot read: " + text.getError().message());
  return parseDevices((*text)->getBuffer(), path);
}

Devices hostRanks(int64_t ranks, double coreGflops, double memoryGiB) {
  Devices devices;
  devices.device = {"cpu", "this machine's core", "host", coreGflops,
                    memoryGiB / double(ranks), /*memoryGBps=*/20, 0.7, 1};
  // Processes of one machine exchange through shared memory: figures of the order MPI's
  // shared-memory transport reaches on a server (docs/devices.md).
  devices.levels.push_back({"socket", ranks, 10, 1});
  return devices;
}

} // namespace dlc::parallel
