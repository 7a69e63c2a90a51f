# A model compiled by dlc, loaded into a Python process: `dlc compile`'s static library linked
# into a shared object and called through ctypes, for tools that run a model many times.
"""Loads a model compiled by dlc into this process.

    model = CompiledModel(dlc, "model.onnx", work_dir, options=["--shape", "x=1x3x224x224"])
    outputs = model.run([x])            # numpy arrays in, numpy arrays out
    loaded = LoadedModel("out", "model", work_dir)   # what `dlc compile -o out` wrote

The library `dlc compile` writes is linked into a shared object (`cc -shared`, whole archive)
and NAME_run is called with the inputs, the outputs and a workspace; the generated header
(NAME.h) gives each input's and output's name, element type and shape. Models compiled for
symbolic dimensions (--max-shape) are not supported: give every dimension with --shape.
`dlc calibrate` runs its probe model this way, compiled once for all samples; the benchmarks
call such models alternately with other runtimes.
"""
import ast
import ctypes
import os
import re
import subprocess

import numpy as np

DTYPES = {"float32": np.float32, "float64": np.float64, "float16": np.float16,
          "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
          "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
          "bool": np.bool_}


class LibraryError(Exception):
    """dlc or the linker failed, or the model's interface is one this loader cannot call."""


def _run(command, what):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if result.returncode != 0:
        raise LibraryError(f"{what} failed: {(result.stderr or result.stdout).strip()}")


def _aligned_bytes(size):
    """`size` zero bytes starting on a 64-byte boundary (a cache line)."""
    raw = np.zeros(size + 64, np.uint8)
    start = (-raw.ctypes.data) % 64
    return raw[start:start + size]


def aligned(array):
    """A copy of `array` (contiguous) whose data starts on a 64-byte boundary, as an application
    gives the library its buffers (numpy's 16 bytes let vector loads straddle cache lines), or
    `array` itself where it already does."""
    if array.ctypes.data % 64 == 0 and array.flags.c_contiguous:
        return array
    copy = _aligned_bytes(array.nbytes).view(array.dtype).reshape(array.shape)
    copy[...] = array
    return copy


class _ProfileEvent(ctypes.Structure):
    """dlc_rt_profile_event of dlc/profile.h."""
    _fields_ = [("name", ctypes.c_char_p), ("operations", ctypes.c_int64),
                ("kind", ctypes.c_int32), ("start_ns", ctypes.c_int64),
                ("end_ns", ctypes.c_int64)]


class LoadedModel:
    """The library `dlc compile` wrote into the directory `out` (libNAME.a and NAME.h), linked
    into `work`/libNAME.so and loaded; it runs on `threads` threads. A process loads a path
    once: give each library its own `work` or name."""

    def __init__(self, out, name, work, threads=1, cc="cc"):
        model = os.path.join(out, f"lib{name}.a")
        library = os.path.join(work, f"lib{name}.so")
        _run([cc, "-shared", "-o", library, "-Wl,--whole-archive",
              model, "-Wl,--no-whole-archive", "-lm", "-lpthread"], f"{cc} -shared")
        with open(os.path.join(out, f"{name}.h")) as f:
            header = f.read()
        prefix = name.upper()

        def define(key):
            found = re.search(rf"^#define {prefix}_{key} (.+)$", header, re.M)
            if not found:
                raise LibraryError(f"{name}.h defines no {prefix}_{key}")
            return found.group(1).strip()

        if re.search(rf"^#define {prefix}_NUM_DIMS ", header, re.M):
            raise LibraryError(f"{model}: compiled with symbolic dimensions; give --shape")

        def tensors(kind, count):
            described = []
            for k in range(count):
                dtype = ast.literal_eval(define(f"{kind}_{k}_DTYPE"))
                if dtype not in DTYPES:
                    raise LibraryError(f"{model}: {kind.lower()} {k} holds {dtype}")
                shape = ast.literal_eval(define(f"{kind}_{k}_SHAPE").replace("{", "(")
                                         .replace("}", ",)"))
                described.append((ast.literal_eval(define(f"{kind}_{k}_NAME")), shape,
                                  DTYPES[dtype]))
            return described

        self.inputs = tensors("INPUT", int(define("NUM_INPUTS")))
        self.outputs = tensors("OUTPUT", int(define("NUM_OUTPUTS")))
        self._library = ctypes.CDLL(os.path.abspath(library))
        self._library.dlc_rt_set_num_threads(threads)
        self._name = name
        self._run = getattr(self._library, f"{name}_run")
        self._run.restype = ctypes.c_int
        size = int(define("WORKSPACE_SIZE"))
        self._workspace = _aligned_bytes(size)
        self._outputs = [aligned(np.empty(shape, dtype)) for _, shape, dtype in self.outputs]
        self._output_pointers = (ctypes.c_void_p * len(self._outputs))(
            *[o.ctypes.data for o in self._outputs])
        self._inputs = []

    def unsupported_cpu(self):
        """Why this machine cannot run the library (NAME_check_cpu's words), or None."""
        check = getattr(self._library, f"{self._name}_check_cpu")
        check.restype = ctypes.c_int
        why = ctypes.create_string_buffer(256)
        if check(why, ctypes.c_size_t(len(why))) == 0:
            return None
        return why.value.decode()

    def bind(self, arrays):
        """Sets the inputs (in the header's order) for the calls that follow."""
        if len(arrays) != len(self.inputs):
            raise LibraryError(f"{len(arrays)} inputs given, the model takes {len(self.inputs)}")
        bound = []
        for array, (input_name, shape, dtype) in zip(arrays, self.inputs):
            array = np.ascontiguousarray(array, dtype=dtype)
            if array.shape != tuple(shape):
                raise LibraryError(f"input {input_name}: shape {list(array.shape)}, the model "
                                   f"was compiled for {list(shape)}")
            bound.append(aligned(array))
        self._inputs = bound
        self._input_pointers = (ctypes.c_void_p * len(bound))(*[a.ctypes.data for a in bound])

    def __call__(self):
        """Runs the model on the bound inputs; the returned arrays are overwritten by the next
        call."""
        status = self._run(self._input_pointers, self._output_pointers,
                           ctypes.c_void_p(self._workspace.ctypes.data))
        if status != 0:
            raise LibraryError(f"the model's run returned status {status}")
        return self._outputs

    def run(self, arrays):
        """The outputs (copies) for `arrays`."""
        self.bind(arrays)
        return [output.copy() for output in self()]

    def kernel_times(self):
        """For a library compiled with `dlc compile --profile`: the kernels run since the last
        call, as {name: ms} (the ONNX nodes each computes, joined by '+'; calls of one name
        summed), and the record emptied. A library compiled without it has no record."""
        try:
            events = self._library.dlc_rt_profile_events
        except AttributeError:
            raise LibraryError("the library was compiled without --profile") from None
        events.restype = ctypes.POINTER(_ProfileEvent)
        events.argtypes = [ctypes.POINTER(ctypes.c_size_t)]
        count = ctypes.c_size_t(0)
        first = events(ctypes.byref(count))
        self._library.dlc_rt_profile_dropped.restype = ctypes.c_size_t
        if self._library.dlc_rt_profile_dropped():
            raise LibraryError("the kernel profile overflowed: read it more often")
        times = {}
        for k in range(count.value):
            event = first[k]
            name = event.name.decode()
            times[name] = times.get(name, 0.0) + (event.end_ns - event.start_ns) * 1e-6
        self._library.dlc_rt_profile_reset()
        return times


class CompiledModel(LoadedModel):
    """`model` compiled by `dlc` (with `options`) into `work`/`name`, loaded; it runs on
    `threads` threads."""

    def __init__(self, dlc, model, work, name="model", options=(), threads=1, cc="cc"):
        out = os.path.join(work, name)
        _run([dlc, "compile", model, "--name", name, "-o", out, *options], "dlc compile")
        super().__init__(out, name, work, threads, cc)
