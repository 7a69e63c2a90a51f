// Times oneDNN's fp32 matmul and 2-D convolution primitives (CPU engine) on shapes given on the
// command line, as a peer for dlc's GEMM and convolution kernels; prints one JSON line per shape.
//
// Build: c++ -O2 -std=c++17 test/bench/onednn_bench.cpp -ldnnl -o onednn_bench
// Run:   OMP_NUM_THREADS=1 onednn_bench --iterations=100 matmul:m=1024,k=1024,n=1024
//        OMP_NUM_THREADS=2 onednn_bench conv:cin=144,cout=144,h=56,w=56,k=3,pad=1,groups=144
// (kUsage below lists every option.) test/bench/run_benchmarks.py builds and runs it.
//
// What is timed matches what `dlc bench` times for a model made of the one op: activations stay
// in plain row-major / NCHW (what the model feeds and returns), while the constant weights take
// the layout oneDNN prefers (format_tag::any) and are reordered once before timing, as dlc packs
// constant weights at compile time. With --layout=any the activations too take oneDNN's preferred
// layout (for convolutions its fast kernels want NHWC or channel-blocked data), and the reorders
// into and out of it are not timed: that measures oneDNN's kernel alone. Each timed run is one
// execute() plus stream::wait(), after the warm-up runs; median and p90 use `dlc bench`'s
// percentile rule. The output is checked to be finite and, at 64 sampled elements, to match a
// sum in double precision.
//
// Threads: Debian's libdnnl 2.6 uses the OpenMP runtime (libgomp), so the caller sets
// OMP_NUM_THREADS; "threads" in the JSON is omp_get_max_threads() as oneDNN sees it.
//
// Exit status: 0 on success; 1 when oneDNN fails or the output check fails; 2 on bad arguments.

#include <oneapi/dnnl/dnnl.hpp>
#include <oneapi/dnnl/dnnl_debug.h>

#include <dlfcn.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

const char *const kUsage =
    "usage: onednn_bench [--iterations=N] [--warmup=N] [--layout=plain|any] SHAPE...\n"
    "       onednn_bench --version\n"
    "SHAPE (fp32; one JSON line is printed for each):\n"
    "  matmul:m=M,k=K,n=N          x[M,K] times a constant W[K,N]\n"
    "  conv:cin=C,cout=C,h=H,w=W,k=K[,stride=S][,pad=P][,groups=G]\n"
    "                              NCHW, batch 1, KxK kernel, symmetric padding, with bias\n"
    "--iterations: timed runs (default 100); --warmup: untimed runs first (default 2).\n"
    "--layout: activations in plain row-major/NCHW (default), or in oneDNN's preferred layout\n"
    "          (any; the reorders into and out of it are not timed).\n"
    "Threads: set OMP_NUM_THREADS (this oneDNN uses the OpenMP runtime).\n";

/// A bad command line; main prints the message and the usage and exits with status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Timing options shared by every shape.
struct Options {
  int iterations = 100;
  int warmup = 2;
  bool anyLayout = false; ///< activations in oneDNN's preferred layout instead of plain
};

/// Parses a decimal integer >= minimum; `what` names it in the error.
long parseInt(const std::string &text, const std::string &what, long minimum) {
  char *end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < minimum)
    throw UsageError(what + " must be an integer >= " + std::to_string(minimum) + ", got '" + text +
                     "'");
  return value;
}

/// One parsed SHAPE argument: the op and its integer fields, with defaults filled in.
struct Shape {
  std::string text, op;
  std::map<std::string, long> fields;
  long operator[](const std::string &key) const { return fields.at(key); }
};

/// Parses and validates "op:key=value,...". Required fields have no default.
Shape parseShape(const std::string &text) {
  Shape shape{text, text.substr(0, text.find(':')), {}};
  std::map<std::string, long> defaults;
  if (shape.op == "matmul")
    defaults = {{"m", -1}, {"k", -1}, {"n", -1}};
  else if (shape.op == "conv")
    defaults = {{"cin", -1}, {"cout", -1},  {"h", -1},  {"w", -1},
                {"k", -1},   {"stride", 1}, {"pad", 0}, {"groups", 1}};
  else
    throw UsageError("'" + text + "': expected matmul:... or conv:...");
  auto fail = [&](const std::string &message) { throw UsageError("'" + text + "': " + message); };

  std::string rest = text.size() > shape.op.size() ? text.substr(shape.op.size() + 1) : "";
  size_t start = 0;
  while (!rest.empty()) {
    size_t comma = rest.find(',', start);
    std::string item = rest.substr(start, comma == std::string::npos ? comma : comma - start);
    size_t eq = item.find('=');
    if (eq == std::string::npos)
      fail("expected key=value, got '" + item + "'");
    std::string key = item.substr(0, eq);
    if (!defaults.count(key))
      fail("unknown field '" + key + "'");
    if (shape.fields.count(key))
      fail("field '" + key + "' given twice");
    shape.fields[key] =
        parseInt(item.substr(eq + 1), "'" + text + "': " + key, key == "pad" ? 0 : 1);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  for (const auto &[key, fallback] : defaults) {
    if (shape.fields.count(key))
      continue;
    if (fallback < 0)
      fail("missing field '" + key + "'");
    shape.fields[key] = fallback;
  }
  if (shape.op == "conv") {
    if (shape["cin"] % shape["groups"] != 0 || shape["cout"] % shape["groups"] != 0)
      fail("groups=" + std::to_string(shape["groups"]) + " must divide both cin=" +
           std::to_string(shape["cin"]) + " and cout=" + std::to_string(shape["cout"]));
    if (shape["h"] + 2 * shape["pad"] < shape["k"] || shape["w"] + 2 * shape["pad"] < shape["k"])
      fail("the kernel is larger than the padded input");
  }
  return shape;
}

/// Deterministic values in [-scale, scale) from a 64-bit LCG.
std::vector<float> randomValues(size_t count, uint64_t seed, float scale) {
  std::vector<float> data(count);
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float &x : data) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = scale * (float(state >> 40) / float(1 << 24) * 2.0f - 1.0f);
  }
  return data;
}

/// `src` in layout `md`: itself when it has that layout, else a reordered copy. (A memory is a
/// reference-counted handle, so passing it by value copies no data.)
memory convert(memory src, const memory::desc &md, const dnnl::engine &engine,
               dnnl::stream &stream) {
  if (src.get_desc() == md)
    return src;
  memory dst(md, engine);
  dnnl::reorder(src, dst).execute(stream, src, dst);
  stream.wait();
  return dst;
}

/// A memory object of the layout the primitive chose (`chosen`) holding `data`, which is in
/// layout `plain`; used for inputs, before timing.
memory load(const std::vector<float> &data, const memory::desc &plain, const memory::desc &chosen,
            const dnnl::engine &engine, dnnl::stream &stream) {
  memory user(plain, engine);
  std::memcpy(user.get_data_handle(), data.data(), data.size() * sizeof(float));
  return convert(user, chosen, engine, stream);
}

/// The threads oneDNN's OpenMP runtime will use, or -1 where libgomp is not loaded.
int ompThreads() {
  using Fn = int (*)();
  auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  return fn ? fn() : -1;
}

/// One benchmark: the primitive with its arguments, and a reference for its output.
struct Problem {
  memory::desc dstPlain; ///< the output's plain layout, for the check
  double flops = 0;
  std::string impl;
  dnnl::primitive prim;
  std::unordered_map<int, memory> args;
  /// Output element `index` (plain layout) computed in double precision.
  std::function<double(size_t)> reference;
};

/// x[m, k] * W[k, n] with W constant.
Problem makeMatmul(const Shape &s, const Options &options, const dnnl::engine &engine,
                   dnnl::stream &stream) {
  const long m = s["m"], k = s["k"], n = s["n"];
  const tag activations = options.anyLayout ? tag::any : tag::ab;
  memory::desc srcPlain({m, k}, dt::f32, tag::ab), dstPlain({m, n}, dt::f32, tag::ab);
  memory::desc weightsPlain({k, n}, dt::f32, tag::ab);
  dnnl::matmul::desc desc(memory::desc({m, k}, dt::f32, activations),
                          memory::desc({k, n}, dt::f32, tag::any),
                          memory::desc({m, n}, dt::f32, activations));
  dnnl::matmul::primitive_desc pd(desc, engine);

  auto src = randomValues(size_t(m * k), 1, 1.0f);
  auto weights = randomValues(size_t(k * n), 2, 1.0f / std::sqrt(float(k)));
  Problem p;
  p.dstPlain = dstPlain;
  p.flops = 2.0 * double(m) * double(k) * double(n);
  p.impl = pd.impl_info_str();
  p.prim = dnnl::matmul(pd);
  p.args = {{DNNL_ARG_SRC, load(src, srcPlain, pd.src_desc(), engine, stream)},
            {DNNL_ARG_WEIGHTS, load(weights, weightsPlain, pd.weights_desc(), engine, stream)},
            {DNNL_ARG_DST, memory(pd.dst_desc(), engine)}};
  p.reference = [=](size_t index) {
    size_t i = index / size_t(n), j = index % size_t(n);
    double sum = 0;
    for (long t = 0; t < k; ++t)
      sum += double(src[i * k + t]) * double(weights[t * n + j]);
    return sum;
  };
  return p;
}

/// A 2-D convolution with bias, batch 1, as ONNX Conv defines it (weights [cout][cin/g][k][k]).
Problem makeConv(const Shape &s, const Options &options, const dnnl::engine &engine,
                 dnnl::stream &stream) {
  const long cin = s["cin"], cout = s["cout"], h = s["h"], w = s["w"], k = s["k"];
  const long stride = s["stride"], pad = s["pad"], groups = s["groups"];
  const long ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
  const long cinG = cin / groups, coutG = cout / groups;

  const tag activations = options.anyLayout ? tag::any : tag::nchw;
  memory::desc srcPlain({1, cin, h, w}, dt::f32, tag::nchw);
  memory::desc dstPlain({1, cout, ho, wo}, dt::f32, tag::nchw);
  memory::desc biasMd({cout}, dt::f32, tag::x);
  // The weights as ONNX stores them, [cout][cin/groups][k][k], which is goihw for groups > 1.
  memory::dims weightsDims =
      groups == 1 ? memory::dims{cout, cin, k, k} : memory::dims{groups, coutG, cinG, k, k};
  memory::desc weightsPlain(weightsDims, dt::f32, groups == 1 ? tag::oihw : tag::goihw);
  memory::desc weightsAny(weightsDims, dt::f32, tag::any);
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      memory::desc({1, cin, h, w}, dt::f32, activations), weightsAny, biasMd,
      memory::desc({1, cout, ho, wo}, dt::f32, activations), {stride, stride}, {pad, pad},
      {pad, pad});
  dnnl::convolution_forward::primitive_desc pd(desc, engine);

  auto src = randomValues(size_t(cin * h * w), 1, 1.0f);
  auto weights =
      randomValues(size_t(cout * cinG * k * k), 2, 1.0f / std::sqrt(float(cinG * k * k)));
  auto bias = randomValues(size_t(cout), 3, 0.1f);
  Problem p;
  p.dstPlain = dstPlain;
  p.flops = 2.0 * double(cout) * double(ho * wo) * double(cinG * k * k);
  p.impl = pd.impl_info_str();
  p.prim = dnnl::convolution_forward(pd);
  p.args = {{DNNL_ARG_SRC, load(src, srcPlain, pd.src_desc(), engine, stream)},
            {DNNL_ARG_WEIGHTS, load(weights, weightsPlain, pd.weights_desc(), engine, stream)},
            {DNNL_ARG_BIAS, load(bias, biasMd, pd.bias_desc(), engine, stream)},
            {DNNL_ARG_DST, memory(pd.dst_desc(), engine)}};
  p.reference = [=](size_t index) {
    const long x = long(index) % wo, y = long(index) / wo % ho, co = long(index) / (wo * ho);
    const long g = co / coutG;
    double sum = bias[size_t(co)];
    for (long ci = 0; ci < cinG; ++ci)
      for (long ky = 0; ky < k; ++ky)
        for (long kx = 0; kx < k; ++kx) {
          long iy = y * stride - pad + ky, ix = x * stride - pad + kx;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w)
            sum += double(src[size_t(((g * cinG + ci) * h + iy) * w + ix)]) *
                   double(weights[size_t(((co * cinG + ci) * k + ky) * k + kx)]);
        }
    return sum;
  };
  return p;
}

/// Returns an empty string when the output is finite and matches the reference at 64 sampled
/// elements, else what is wrong.
std::string checkOutput(const Problem &p, const dnnl::engine &engine, dnnl::stream &stream) {
  memory dst = convert(p.args.at(DNNL_ARG_DST), p.dstPlain, engine, stream);
  const float *out = static_cast<const float *>(dst.get_data_handle());
  const size_t count = dst.get_desc().get_size() / sizeof(float);
  double maxAbs = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(out[i]))
      return "output element " + std::to_string(i) + " is " + std::to_string(out[i]);
    maxAbs = std::max(maxAbs, double(std::fabs(out[i])));
  }
  for (size_t sample = 0; sample < 64; ++sample) {
    size_t i = (sample * 2654435761u + 12345u) % count;
    double want = p.reference(i);
    if (std::fabs(double(out[i]) - want) > 1e-4 * std::max(maxAbs, 1.0))
      return "output element " + std::to_string(i) + " is " + std::to_string(out[i]) +
             ", expected " + std::to_string(want);
  }
  return "";
}

/// Runs the warm-up and the timed runs, checks the output and prints one JSON line; returns
/// false (with a message on stderr) when the output check fails.
bool bench(const Shape &shape, Problem &p, const Options &options, const dnnl::engine &engine,
           dnnl::stream &stream) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < options.warmup; ++i)
    p.prim.execute(stream, p.args);
  stream.wait();
  std::vector<double> ms;
  for (int i = 0; i < options.iterations; ++i) {
    auto start = Clock::now();
    p.prim.execute(stream, p.args);
    stream.wait();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  if (std::string problem = checkOutput(p, engine, stream); !problem.empty()) {
    std::fprintf(stderr, "onednn_bench: %s (%s): %s\n", shape.text.c_str(), p.impl.c_str(),
                 problem.c_str());
    return false;
  }
  std::sort(ms.begin(), ms.end());
  auto percentile = [&](double q) {
    return ms[std::min(ms.size() - 1, size_t(q * double(ms.size() - 1) + 0.5))];
  };
  const double median = percentile(0.5), p90 = percentile(0.9);
  std::printf("{\"shape\": \"%s\", \"layout\": \"%s\", \"impl\": \"%s\", \"threads\": %d, "
              "\"iterations\": %d, \"warmup\": %d, \"median_ms\": %.4f, \"p90_ms\": %.4f, "
              "\"min_ms\": %.4f, \"flops\": %.6g, \"gflops\": %.2f}\n",
              shape.text.c_str(), options.anyLayout ? "any" : "plain", p.impl.c_str(), ompThreads(),
              options.iterations, options.warmup, median, p90, ms.front(), p.flops,
              p.flops / (median * 1e-3) / 1e9);
  std::fflush(stdout);
  return true;
}

/// Prints oneDNN's version, its CPU threading runtime and the instruction set it dispatches to.
void printVersion() {
  const dnnl_version_t *v = dnnl::version();
  const char *runtime = v->cpu_runtime == DNNL_RUNTIME_OMP   ? "OpenMP"
                        : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                        : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "sequential"
                                                             : "other";
  std::string isa = dnnl_cpu_isa2str(static_cast<dnnl_cpu_isa_t>(dnnl::get_effective_cpu_isa()));
  if (isa.rfind("cpu_isa_", 0) == 0)
    isa = isa.substr(8);
  std::printf("oneDNN %d.%d.%d, CPU runtime %s, ISA %s\n", v->major, v->minor, v->patch, runtime,
              isa.c_str());
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  std::vector<Shape> shapes;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      }
      if (arg == "--version") {
        printVersion();
        return 0;
      }
      if (arg.rfind("--iterations=", 0) == 0)
        options.iterations = int(parseInt(arg.substr(13), "--iterations", 1));
      else if (arg.rfind("--warmup=", 0) == 0)
        options.warmup = int(parseInt(arg.substr(9), "--warmup", 0));
      else if (arg == "--layout=plain" || arg == "--layout=any")
        options.anyLayout = arg == "--layout=any";
      else if (arg.rfind("-", 0) == 0)
        throw UsageError("unknown option '" + arg + "'");
      else
        shapes.push_back(parseShape(arg)); // every shape is checked before any is timed
    }
    if (shapes.empty())
      throw UsageError("no shape given");
  } catch (const UsageError &e) {
    std::fprintf(stderr, "onednn_bench: %s\n%s", e.what(), kUsage);
    return 2;
  }

  const Shape *current = nullptr;
  try {
    dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    bool ok = true;
    for (const Shape &shape : shapes) {
      current = &shape;
      Problem p = shape.op == "matmul" ? makeMatmul(shape, options, engine, stream)
                                       : makeConv(shape, options, engine, stream);
      ok &= bench(shape, p, options, engine, stream);
    }
    return ok ? 0 : 1;
  } catch (const dnnl::error &e) {
    std::fprintf(stderr, "onednn_bench: %s: oneDNN failed: %s (status %d)\n",
                 current ? current->text.c_str() : "engine", e.what(), int(e.status));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "onednn_bench: %s: %s\n", current ? current->text.c_str() : "engine",
                 e.what());
  }
  return 1;
}
