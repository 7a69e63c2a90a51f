// Kernel profiles: summing the runtime's events per kernel, the table, the Chrome trace.
#include "compiler/Driver/Profile.h"

#include "dlc/profile.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <numeric>

namespace dlc::driver {

namespace {

const char *kindName(int32_t kind) {
  switch (kind) {
  case DLC_RT_PROFILE_BF16: return "bf16";
  case DLC_RT_PROFILE_INT8: return "int8";
  default: return "fp32";
  }
}

} // namespace

std::vector<KernelFigures> summarizeProfile(int runs) {
  size_t count = 0;
  const dlc_rt_profile_event *events = dlc_rt_profile_events(&count);
  std::vector<KernelFigures> kernels;
  // Kernels of the same nodes (a product's blocks and its remainder) share a row: the
  // compiler may merge their equal names into one string anyway.
  llvm::StringMap<size_t> index;
  for (size_t i = 0; i < count; ++i) {
    const dlc_rt_profile_event &event = events[i];
    auto [it, inserted] = index.try_emplace(event.name, kernels.size());
    if (inserted) {
      kernels.emplace_back();
      kernels.back().name = event.name;
    }
    KernelFigures &kernel = kernels[it->second];
    // A row's kind is its kernels' fastest instruction, as each kernel's is its ops' (a bf16
    // product's row also holds the fp32 kernel that fills its result).
    kernel.kind = std::max(kernel.kind, event.kind);
    kernel.milliseconds += double(event.end_ns - event.start_ns) * 1e-6;
    kernel.operations += double(event.operations);
    ++kernel.calls;
  }
  for (KernelFigures &kernel : kernels) {
    kernel.milliseconds /= std::max(runs, 1);
    kernel.operations /= std::max(runs, 1);
  }
  return kernels;
}

void printProfile(const std::vector<KernelFigures> &kernels, int runs, double runMilliseconds,
                  const double peaks[3], int threads, size_t rows, llvm::raw_ostream &out) {
  std::vector<const KernelFigures *> order;
  for (const KernelFigures &kernel : kernels)
    order.push_back(&kernel);
  std::stable_sort(order.begin(), order.end(), [](const auto *a, const auto *b) {
    return a->milliseconds > b->milliseconds;
  });
  double total = 0;
  int64_t calls = 0;
  for (const KernelFigures &kernel : kernels) {
    total += kernel.milliseconds;
    calls += kernel.calls;
  }
  out << llvm::format("kernels: %zu rows (one per set of ONNX nodes), %.1f calls and %.3f ms per "
                      "run, of a mean run of %.3f ms\n",
                      kernels.size(), double(calls) / std::max(runs, 1), total, runMilliseconds);
  out << "        ms   share   GFLOP/s   of peak  kind  kernel (ONNX nodes)\n";
  double rest = 0;
  size_t restCount = 0;
  for (const KernelFigures *kernel : order) {
    if (rows == 0) {
      rest += kernel->milliseconds;
      ++restCount;
      continue;
    }
    --rows;
    double rate =
        kernel->milliseconds > 0 ? kernel->operations / (kernel->milliseconds * 1e-3) : 0;
    double peak = peaks[std::clamp(kernel->kind, 0, 2)] * std::max(threads, 1);
    out << llvm::format("  %8.3f  %5.1f%%  %8.1f", kernel->milliseconds,
                        runMilliseconds > 0 ? 100.0 * kernel->milliseconds / runMilliseconds : 0.0,
                        rate * 1e-9);
    if (peak > 0 && kernel->operations > 0)
      out << llvm::format("  %7.1f%%", 100.0 * rate / peak);
    else
      out << "         -";
    out << "  " << kindName(kernel->kind) << "  " << kernel->name << "\n";
  }
  if (restCount)
    out << llvm::format("  %8.3f  %5.1f%%  (%zu more kernels)\n", rest,
                        runMilliseconds > 0 ? 100.0 * rest / runMilliseconds : 0.0, restCount);
}

void printProfileJson(const std::vector<KernelFigures> &kernels, llvm::raw_ostream &out) {
  llvm::json::Array array;
  for (const KernelFigures &kernel : kernels)
    array.push_back(llvm::json::Object{{"name", kernel.name},
                                       {"kind", kindName(kernel.kind)},
                                       {"ms_per_run", kernel.milliseconds},
                                       {"operations_per_run", kernel.operations},
                                       {"calls", kernel.calls}});
  out << llvm::json::Value(std::move(array));
}

llvm::Error writeTrace(const std::string &path, const std::string &model,
                       const std::vector<std::pair<int64_t, int64_t>> &runs) {
  size_t count = 0;
  const dlc_rt_profile_event *events = dlc_rt_profile_events(&count);
  int64_t origin = runs.empty() ? 0 : runs.front().first;
  for (size_t i = 0; i < count; ++i)
    origin = std::min(origin, events[i].start_ns);
  auto micros = [&](int64_t ns) { return double(ns - origin) * 1e-3; };
  llvm::json::Array trace;
  for (auto [k, run] : llvm::enumerate(runs))
    trace.push_back(llvm::json::Object{{"name", "run " + std::to_string(k)},
                                       {"cat", "run"},
                                       {"ph", "X"},
                                       {"ts", micros(run.first)},
                                       {"dur", double(run.second - run.first) * 1e-3},
                                       {"pid", 1},
                                       {"tid", 1}});
  for (size_t i = 0; i < count; ++i) {
    const dlc_rt_profile_event &event = events[i];
    double seconds = double(event.end_ns - event.start_ns) * 1e-9;
    llvm::json::Object args{{"operations", event.operations}};
    if (seconds > 0 && event.operations > 0)
      args["GFLOP/s"] = double(event.operations) / seconds * 1e-9;
    trace.push_back(llvm::json::Object{{"name", event.name},
                                       {"cat", kindName(event.kind)},
                                       {"ph", "X"},
                                       {"ts", micros(event.start_ns)},
                                       {"dur", double(event.end_ns - event.start_ns) * 1e-3},
                                       {"pid", 1},
                                       {"tid", 1},
                                       {"args", std::move(args)}});
  }
  llvm::json::Object document{{"traceEvents", std::move(trace)},
                              {"displayTimeUnit", "ms"},
                              {"otherData", llvm::json::Object{{"model", model}}}};
  // Written beside its destination and renamed over it: never a half-written file.
  std::string temporary = path + ".tmp";
  {
    std::error_code error;
    llvm::raw_fd_ostream file(temporary, error);
    if (error)
      return llvm::createStringError(error, "cannot write " + path + ": " + error.message());
    file << llvm::json::Value(std::move(document)) << "\n";
    file.close();
    if (file.has_error()) {
      llvm::sys::fs::remove(temporary);
      return llvm::createStringError(file.error(), "cannot write " + path + ": " +
                                                       file.error().message());
    }
  }
  if (std::error_code error = llvm::sys::fs::rename(temporary, path)) {
    llvm::sys::fs::remove(temporary);
    return llvm::createStringError(error, "cannot write " + path + ": " + error.message());
  }
  return llvm::Error::success();
}

} // namespace dlc::driver
