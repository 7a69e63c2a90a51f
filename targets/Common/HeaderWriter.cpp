// The C header generator: workspace size, per-tensor name/type/shape macros, the NAME_run
// declaration and a typed inline wrapper whose parameters are the tensors' names.
#include "targets/Common/HeaderWriter.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <set>

namespace dlc::targets {
namespace {

const std::set<std::string> &cKeywords() {
  static const std::set<std::string> keywords = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
      "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
      "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
      "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
      "class", "new", "delete", "this", "template", "namespace", "operator", "private",
      "public", "protected", "virtual", "workspace"};
  return keywords;
}

std::string numpyName(mlir::Type type) {
  if (type.isF32()) return "float32";
  if (type.isF64()) return "float64";
  if (type.isF16()) return "float16";
  if (type.isBF16()) return "bfloat16";
  if (type.isInteger(1)) return "bool";
  return (type.isUnsignedInteger() ? "uint" : "int") + std::to_string(type.getIntOrFloatBitWidth());
}

/// The C element type of a buffer of `type`.
std::string cTypeName(mlir::Type type) {
  if (type.isF32()) return "float";
  if (type.isF64()) return "double";
  if (type.isF16() || type.isBF16()) return "uint16_t";
  if (type.isInteger(1)) return "uint8_t";
  return (type.isUnsignedInteger() ? "uint" : "int") + std::to_string(type.getIntOrFloatBitWidth()) +
         "_t";
}

std::string shapeList(const std::vector<int64_t> &shape, const char *separator) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? separator : "") + std::to_string(shape[i]);
  return text;
}

/// `text` for a C string literal: quotes and backslashes escaped, control characters as octal.
std::string escapeCString(llvm::StringRef text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      escaped += '\\';
      escaped += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      unsigned code = static_cast<unsigned char>(c);
      escaped += {'\\', char('0' + (code >> 6)), char('0' + ((code >> 3) & 7)),
                  char('0' + (code & 7))};
    } else {
      escaped += c;
    }
  }
  return escaped;
}

/// Writes the macros of one input or output. With symbolic dimensions, `dims` names each
/// dimension's symbol (empty where static or unknown) and the sizes are the largest ones.
void writeTensorMacros(std::string &out, const std::string &prefix, const char *kind, size_t index,
                       const TensorSignature &tensor, bool symbolic,
                       const std::vector<std::string> &dims) {
  std::string macro = llvm::formatv("{0}_{1}_{2}", prefix, kind, index).str();
  std::string shape = shapeList(tensor.shape, ", ");
  bool dataDependent = tensor.dataDependentAxis >= 0;
  if (symbolic || dataDependent) {
    std::vector<std::string> named;
    for (auto [k, dim] : llvm::enumerate(tensor.shape))
      named.push_back(int64_t(k) == tensor.dataDependentAxis ? std::string("?")
                      : k < dims.size() && !dims[k].empty() ? dims[k]
                                                             : std::to_string(dim));
    shape = llvm::join(named, ", ") + "], at most [" + shape;
  }
  out += llvm::formatv("/* {0} {1}: \"{2}\" {3} [{4}] */\n", llvm::StringRef(kind).lower(), index,
                       tensor.name, numpyName(tensor.elementType), shape)
             .str();
  out += llvm::formatv("#define {0}_NAME \"{1}\"\n", macro, escapeCString(tensor.name)).str();
  out += llvm::formatv("#define {0}_DTYPE \"{1}\"\n", macro, numpyName(tensor.elementType)).str();
  out += llvm::formatv("#define {0}_RANK {1}\n", macro, tensor.shape.size()).str();
  // With symbolic dimensions, the sizes are the largest the run accepts; with a data-dependent
  // axis, the largest it writes.
  if (dataDependent)
    out += llvm::formatv("#define {0}_DATA_DEPENDENT_AXIS {1}\n", macro,
                         tensor.dataDependentAxis)
               .str();
  std::string most = symbolic || dataDependent ? "_MAX" : "";
  out += llvm::formatv("#define {0}{1}_SHAPE {{{2}}\n", macro, most,
                       tensor.shape.empty() ? std::string("0") : shapeList(tensor.shape, ", "))
             .str();
  out += llvm::formatv("#define {0}{1}_NUMEL {2}\n", macro, most, tensor.numElements()).str();
  out += llvm::formatv("#define {0}{1}_BYTES {2}\n\n", macro, most, tensor.numBytes()).str();
}

/// For each dimension of output `index`: the symbolic dimension it equals in every
/// specialization, "?" when it varies otherwise, or "" when it is static.
std::vector<std::string> outputDimNames(const ModelSignature &signature, size_t index) {
  std::vector<std::string> names;
  for (size_t k = 0; k < signature.outputs[index].shape.size(); ++k) {
    auto sizeIn = [&](const Specialization &s) { return s.outputShapes[index][k]; };
    auto equals = [&](size_t dim) {
      return llvm::all_of(signature.specializations, [&](const Specialization &s) {
        return sizeIn(s) == s.dimValues[dim];
      });
    };
    bool varies = llvm::any_of(signature.specializations, [&](const Specialization &s) {
      return sizeIn(s) != sizeIn(signature.specializations.front());
    });
    std::string name = varies ? "?" : "";
    for (size_t dim = 0; varies && dim < signature.dims.size(); ++dim)
      if (equals(dim)) {
        name = signature.dims[dim].name;
        break;
      }
    names.push_back(name);
  }
  return names;
}

} // namespace

std::string makeCIdentifier(const std::string &text, const std::string &fallback) {
  std::string id;
  for (char c : text)
    id += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (id.empty())
    return fallback;
  if (llvm::isDigit(id.front()) || cKeywords().count(id))
    id = "_" + id;
  return id;
}

/// NAME_run_ranks of a data-parallel compilation: rank 0's whole batch scattered by rows,
/// each rank's run, the outputs gathered back (dlc/collectives.h, which the application
/// includes first).
static void writeRanksWrapper(std::string &out, const ModelSignature &signature) {
  const std::string &name = signature.name;
  std::string upper = llvm::StringRef(name).upper();
  auto aligned = [](int64_t bytes) { return (bytes + 63) / 64 * 64; };
  int64_t share = 0;
  for (const TensorSignature &tensor : signature.inputs)
    share += aligned(tensor.numBytes());
  for (const TensorSignature &tensor : signature.outputs)
    share += aligned(tensor.numBytes());
  out += llvm::formatv(
             "/* Data parallel ({1}): this library runs one rank's rows of the batch (the shapes "
             "above);\n   the whole batch has {0}_RANKS times as many. With dlc/collectives.h "
             "included first,\n   {0}_run_ranks runs the whole batch on every rank of `comm`: "
             "rank 0's inputs and outputs\n   hold it (the other ranks pass NULL), each rank "
             "gives {0}_SHARE_BYTES (64-byte aligned)\n   for its rows and its own workspace. "
             "A rank that fails, or never comes, makes every\n   rank return a status. */\n",
             upper, signature.parallelPlan)
             .str();
  out += llvm::formatv("#define {0}_RANKS {1}\n#define {0}_PARALLEL_PLAN \"{2}\"\n"
                       "#define {0}_SHARE_BYTES {3}\n",
                       upper, signature.ranks, signature.parallelPlan, share)
             .str();
  out += "#ifdef DLC_COLLECTIVES_H\n";
  out += llvm::formatv("static inline int {0}_run_ranks(dlc_rt_comm *comm, const void *const "
                       "inputs[], void *const outputs[],\n                                "
                       "void *share, void *workspace) {{\n",
                       name)
             .str();
  out += llvm::formatv("  int status = dlc_rt_comm_check_size(comm, {0}_RANKS);\n", upper).str();
  out += "  if (status != DLC_STATUS_OK)\n    return status;\n";
  out += "  if (!share || !workspace || (comm->rank == 0 && (!inputs || !outputs)))\n"
         "    return DLC_STATUS_NULL_ARGUMENT;\n";
  out += "  char *at = (char *)share;\n";
  size_t numInputs = signature.inputs.size(), numOutputs = signature.outputs.size();
  out += llvm::formatv("  const void *rows_in[{0}];\n  void *rows_out[{1}];\n",
                       std::max<size_t>(numInputs, 1), std::max<size_t>(numOutputs, 1))
             .str();
  for (size_t i = 0; i < numInputs; ++i)
    out += llvm::formatv("  rows_in[{0}] = at;\n  status = dlc_rt_scatter(comm, comm->rank == 0 "
                         "? inputs[{0}] : 0, at, {1}_INPUT_{0}_BYTES, 0);\n  if (status != "
                         "DLC_STATUS_OK)\n    return status;\n  at += {2};\n",
                         i, upper, aligned(signature.inputs[i].numBytes()))
               .str();
  for (size_t i = 0; i < numOutputs; ++i)
    out += llvm::formatv("  rows_out[{0}] = at;\n  at += {1};\n", i,
                         aligned(signature.outputs[i].numBytes()))
               .str();
  out += llvm::formatv("  int run = {0}_run(rows_in, rows_out, workspace);\n", name).str();
  out += "  /* Every rank learns whether all ran, so none waits in a gather for one that "
         "failed. */\n"
         "  float failed = run != DLC_STATUS_OK;\n"
         "  status = dlc_rt_allreduce_f32(comm, &failed, 1);\n"
         "  if (status != DLC_STATUS_OK)\n    return status;\n"
         "  if (failed != 0)\n    return run != DLC_STATUS_OK ? run : DLC_STATUS_COMM_FAILED;\n";
  for (size_t i = 0; i < numOutputs; ++i)
    out += llvm::formatv("  status = dlc_rt_gather(comm, rows_out[{0}], comm->rank == 0 ? "
                         "outputs[{0}] : 0, {1}_OUTPUT_{0}_BYTES, 0);\n  if (status != "
                         "DLC_STATUS_OK)\n    return status;\n",
                         i, upper)
               .str();
  out += "  return DLC_STATUS_OK;\n}\n#endif\n\n";
}

std::string writeHeader(const ModelSignature &signature, const std::string &extras) {
  const std::string &name = signature.name;
  std::string prefix = llvm::StringRef(name).upper();
  std::string out;
  out += llvm::formatv("/* {0}.h: the C interface of lib{0}.a, generated by dlc from {1}\n"
                       "   for target {2}. Do not edit. */\n",
                       name, signature.sourcePath, signature.target)
             .str();
  out += llvm::formatv("#ifndef DLC_MODEL_{0}_H\n#define DLC_MODEL_{0}_H\n\n", prefix).str();
  out += "#include <stddef.h>\n#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  out += "#ifndef DLC_STATUS_OK\n#define DLC_STATUS_OK 0\n#define DLC_STATUS_NULL_ARGUMENT 1\n"
         "#define DLC_STATUS_UNSUPPORTED_CPU 2\n#endif\n\n";
  out += "#ifndef DLC_RT_THREADS_DECLARED\n#define DLC_RT_THREADS_DECLARED\n"
         "/* Threads, shared by every dlc library in the program. Runs use dlc_rt_get_num_threads()\n"
         "   threads: $DLC_NUM_THREADS, else the CPUs this process may use, unless set here; or an\n"
         "   application's own parallel-for, which must run task(context, b, e) over disjoint\n"
         "   ranges covering [0, count). */\n"
         "typedef void (*dlc_rt_task_fn)(void *context, int64_t begin, int64_t end);\n"
         "typedef void (*dlc_rt_parallel_for_fn)(int64_t count, dlc_rt_task_fn task, void *context,\n"
         "                                       void *user);\n"
         "int dlc_rt_set_num_threads(int count); /* 0 restores the default */\n"
         "int dlc_rt_get_num_threads(void);\n"
         "void dlc_rt_set_parallel_for(dlc_rt_parallel_for_fn parallel_for, void *user);\n"
         "#endif\n\n";
  bool symbolic = signature.hasSymbolicDims();
  bool dataDependent = signature.numDataDependentOutputs() > 0;
  if (symbolic || dataDependent)
    out += "#ifndef DLC_STATUS_BAD_DIMENSION\n#define DLC_STATUS_BAD_DIMENSION 3\n#endif\n\n";
  out += "/* Bytes of scratch memory one run needs (any alignment); owned by the caller. */\n";
  out += llvm::formatv("#define {0}_WORKSPACE_SIZE {1}\n", prefix, signature.workspaceSize).str();
  out += llvm::formatv("#define {0}_NUM_INPUTS {1}\n", prefix, signature.inputs.size()).str();
  out += llvm::formatv("#define {0}_NUM_OUTPUTS {1}\n\n", prefix, signature.outputs.size()).str();
  if (symbolic) {
    out += "/* Symbolic dimensions: each run passes their values, in this order, as dims[]; each\n"
           "   value is one of MIN, MIN + STEP, ..., MAX (an application pads its input up to the\n"
           "   next such value). The workspace size covers every combination. */\n";
    out += llvm::formatv("#define {0}_NUM_DIMS {1}\n", prefix, signature.dims.size()).str();
    for (auto [i, dim] : llvm::enumerate(signature.dims)) {
      out += llvm::formatv("#define {0}_DIM_{1}_NAME \"{2}\"\n", prefix, i, dim.name).str();
      out += llvm::formatv("#define {0}_DIM_{1}_MIN {2}\n", prefix, i, dim.min).str();
      out += llvm::formatv("#define {0}_DIM_{1}_MAX {2}\n", prefix, i, dim.max).str();
      out += llvm::formatv("#define {0}_DIM_{1}_STEP {2}\n", prefix, i, dim.step).str();
    }
    out += "\n";
  }
  for (auto [i, tensor] : llvm::enumerate(signature.inputs)) {
    std::vector<std::string> dims;
    if (i < signature.inputDims.size())
      for (int index : signature.inputDims[i])
        dims.push_back(index < 0 ? "" : signature.dims[index].name);
    writeTensorMacros(out, prefix, "INPUT", i, tensor, symbolic, dims);
  }
  for (auto [i, tensor] : llvm::enumerate(signature.outputs))
    writeTensorMacros(out, prefix, "OUTPUT", i, tensor, symbolic, outputDimNames(signature, i));

  std::string dimsParam = symbolic ? "const int64_t dims[], " : "";
  out += "/* Runs one inference. inputs and outputs hold one dense row-major buffer per graph\n"
         "   input and output, in graph order; workspace points to " + prefix +
         "_WORKSPACE_SIZE bytes. Outputs must not overlap the inputs, each other or the\n"
         "   workspace (an output may be written before every input has been read). Any\n"
         "   alignment works; buffers aligned to 64 bytes are read and written fastest.\n";
  if (symbolic)
    out += "   dims holds the symbolic dimensions' values; a value that was not compiled returns\n"
           "   DLC_STATUS_BAD_DIMENSION.\n";
  out += "   Returns DLC_STATUS_OK, or the status that stopped the run. Allocates nothing. */\n";
  out += llvm::formatv("int {0}_run({1}const void *const inputs[], void *const outputs[], "
                       "void *workspace);\n\n",
                       name, dimsParam)
             .str();
  if (symbolic)
    out += llvm::formatv("/* Writes the shape of output `output` for the dimension values dims into\n"
                         "   shape[{1}_OUTPUT_<output>_RANK]. Returns DLC_STATUS_OK, or\n"
                         "   DLC_STATUS_BAD_DIMENSION for a value or output out of range. */\n"
                         "int {0}_output_shape(const int64_t dims[], int output, "
                         "int64_t shape[]);\n\n",
                         name, prefix)
               .str();

  if (dataDependent)
    out += llvm::formatv(
               "/* Writes the shape of output `output` after the last run on workspace into\n"
               "   shape[{1}_OUTPUT_<output>_RANK]. An output with a DATA_DEPENDENT_AXIS holds\n"
               "   that many entries along it, laid out as in its MAX_SHAPE (row-major with the\n"
               "   largest sizes); the entries beyond them are not part of the result. Returns\n"
               "   DLC_STATUS_OK, or DLC_STATUS_BAD_DIMENSION for an output out of range. */\n"
               "int {0}_result_shape(const void *workspace, int output, int64_t shape[]);\n\n",
               name, prefix)
               .str();
  out += llvm::formatv(
             "/* Whether this machine can run the library: DLC_STATUS_OK, or\n"
             "   DLC_STATUS_UNSUPPORTED_CPU (which {0}_run then returns too) with why it cannot\n"
             "   written into why[0..size), NUL-terminated (why may be NULL): the CPU features\n"
             "   it lacks and, for AMX, whether the CPU, the OS or its permission is missing. */\n"
             "int {0}_check_cpu(char *why, size_t size);\n\n",
             name)
             .str();
  out += "/* The model's metadata (ONNX metadata_props): the value for key, or NULL.";
  if (signature.metadata.empty()) {
    out += " This model has none. */\n";
  } else {
    std::vector<std::string> keys;
    for (const auto &entry : signature.metadata)
      // A "*/" in a key must not end the comment.
      keys.push_back("\"" + llvm::join(llvm::split(escapeCString(entry.first), "*/"), "*\\/") +
                     "\"");
    out += "\n   Keys: " + llvm::join(keys, ", ") + ". */\n";
  }
  out += llvm::formatv("const char *{0}_metadata(const char *key);\n\n", name).str();

  // The typed wrapper: parameters named after the tensors, made unique C identifiers.
  std::set<std::string> used;
  std::vector<std::string> params, inNames, outNames;
  auto unique = [&](const std::string &tensorName, const std::string &fallback) {
    std::string id = makeCIdentifier(tensorName, fallback);
    while (used.count(id))
      id += "_";
    used.insert(id);
    return id;
  };
  for (auto [i, tensor] : llvm::enumerate(signature.inputs)) {
    inNames.push_back(unique(tensor.name, "input" + std::to_string(i)));
    params.push_back("const " + cTypeName(tensor.elementType) + " *" + inNames.back());
  }
  for (auto [i, tensor] : llvm::enumerate(signature.outputs)) {
    outNames.push_back(unique(tensor.name, "output" + std::to_string(i)));
    params.push_back(cTypeName(tensor.elementType) + " *" + outNames.back());
  }
  std::string workspace = unique("workspace_", "workspace_");
  params.push_back("void *" + workspace);
  std::string dimsArg;
  if (symbolic) {
    dimsArg = unique("dims", "dims");
    params.insert(params.begin(), "const int64_t " + dimsArg + "[]");
    dimsArg += ", ";
  }
  out += "/* The same run with one typed, named parameter per input and output. */\n";
  out += llvm::formatv("static inline int {0}_infer({1}) {{\n", name, llvm::join(params, ", "))
             .str();
  std::string inList = inNames.empty() ? "0" : llvm::join(inNames, ", ");
  std::string outList = outNames.empty() ? "0" : llvm::join(outNames, ", ");
  out += llvm::formatv("  const void *const dlc_inputs_[] = {{{0}};\n", inList).str();
  out += llvm::formatv("  void *const dlc_outputs_[] = {{{0}};\n", outList).str();
  out += llvm::formatv("  return {0}_run({1}dlc_inputs_, dlc_outputs_, {2});\n}\n\n", name,
                       dimsArg, workspace)
             .str();
  if (signature.ranks > 1)
    writeRanksWrapper(out, signature);
  out += extras;
  out += "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return out;
}

} // namespace dlc::targets
