# lit configuration of dlc's FileCheck tests: .mlir files run through dlc-opt, .onnxtxt files
# (ONNX text models) through the dlc CLI. Tools come from the build tree and LLVM 22.
import os
import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(lit_config.params.get("build_dir", "build"), "test", "lit")

build_bin = os.path.join(lit_config.params.get("build_dir", "build"), "bin")
llvm_bin = lit_config.params.get("llvm_bin", "/usr/lib/llvm-22/bin")
config.environment["PATH"] = os.pathsep.join([build_bin, llvm_bin, os.environ.get("PATH", "")])
config.substitutions.append(("%python", "python3"))

# What this machine's CPU can run, for tests that run code a target without it refuses
# (`REQUIRES: cpu-avx512vnni`, or `%if cpu-avx512vnni %{ ... %}` around RUN lines): the flags of
# /proc/cpuinfo, by the names of LLVM's features.
def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


for _flag, _feature in (("avx512f", "avx512f"), ("avx512_vnni", "avx512vnni"),
                        ("avx512_bf16", "avx512bf16")):
    if _flag in _cpu_flags():
        config.available_features.add("cpu-" + _feature)
