# The tracer `hybridize trace` injects into the user's Python processes (as
# `sitecustomize`, first on PYTHONPATH). It records, for every function of
# the project's files, how often it is called, the time spent in it, and
# what its parameters receive; at exit it adds how often each graph
# function was traced, and merges its observations into the profile that
# `hybridize trace` turns into `hybridize-profile.json` (docs/observe.md).
#
# It must never change what the program does: every failure of its own is
# swallowed, and it imports nothing the program did not import already.

import atexit
import os
import sys

# Arguments of a function are recorded in full for its first calls; after
# that only parameters whose observation may still change (a tensor shape
# with a dimension not yet seen to vary, fewer distinct scalars than
# MAX_VALUES), and nothing at all after MAX_ARGUMENT_CALLS calls. This is
# what bounds the tracer's cost per call.
FULL_CALLS = 100
MAX_ARGUMENT_CALLS = 10000
MAX_VALUES = 16
MAX_DEPTH = 3
MAX_ITEMS = 16

_ROOT = os.environ.get("HYBRIDIZE_TRACE_ROOT") or os.getcwd()
_OUT = os.environ.get("HYBRIDIZE_TRACE_PATH")
_HERE = os.path.dirname(os.path.abspath(__file__))
_START_CWD = os.getcwd()


def _is_project_file(filename):
    if not filename or filename.startswith("<") or not filename.endswith(".py"):
        return None
    path = os.path.realpath(os.path.join(_START_CWD, filename))
    root = os.path.realpath(_ROOT)
    if not path.startswith(root + os.sep):
        return None
    if path.startswith(_HERE + os.sep):
        return None
    relative = os.path.relpath(path, root)
    parts = relative.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return None
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        prefix = os.path.realpath(prefix)
        if prefix != root and path.startswith(prefix + os.sep):
            return None
    return relative.replace(os.sep, "/")


class _Record:
    __slots__ = ("code", "file", "calls", "seconds", "params", "names", "saturated")

    def __init__(self, code, file):
        self.code = code
        self.file = file
        self.calls = 0
        self.seconds = 0.0
        argc = code.co_argcount + code.co_kwonlyargcount
        self.names = code.co_varnames[:argc]
        self.params = {}
        self.saturated = set()


_MISSING = object()
# Per code object, by `id` (a code object's own hash is computed anew at
# every lookup, from its bytecode and constants: some 600 ns, at every
# call of every Python function): its record, or None for code outside
# the project. `_seen` keeps each code object alive, so that its id is
# not reused.
_records = {}
_seen = []
_stacks = {}


def _classify(code):
    record = None
    if not code.co_name.startswith("<"):
        file = _is_project_file(code.co_filename)
        if file is not None:
            record = _Record(code, file)
    _records[id(code)] = record
    _seen.append(code)
    return record


# Observed kinds are plain dicts, as they appear in the profile.


def _dtype_name(dtype):
    name = getattr(dtype, "name", None)
    return name if isinstance(name, str) else str(dtype)


def _shape_list(shape):
    try:
        dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    except Exception:
        return None
    return [d if isinstance(d, int) else None for d in dims]


def _kind_of(value, depth=0):
    tf = sys.modules.get("tensorflow")
    kind = type(value)
    if value is None or kind in (bool, int, float, str, bytes, complex):
        return {"kind": "scalar", "type": kind.__name__, "values": [repr(value)[:60]]}
    if tf is not None:
        try:
            if isinstance(value, tf.Tensor):
                return {
                    "kind": "tensor",
                    "dtype": _dtype_name(value.dtype),
                    "shape": _shape_list(value.shape),
                }
            if isinstance(value, tf.Variable):
                return {
                    "kind": "variable",
                    "dtype": _dtype_name(value.dtype),
                    "shape": _shape_list(value.shape),
                }
        except Exception:
            pass
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return {"kind": "ndarray", "dtype": str(value.dtype), "shape": list(value.shape)}
    if depth < MAX_DEPTH and kind in (tuple, list) and len(value) <= MAX_ITEMS:
        return {
            "kind": kind.__name__,
            "items": [_kind_of(item, depth + 1) for item in value],
        }
    if (
        depth < MAX_DEPTH
        and kind is dict
        and len(value) <= MAX_ITEMS
        and all(isinstance(key, str) for key in value)
    ):
        return {
            "kind": "dict",
            "items": {key: _kind_of(item, depth + 1) for key, item in value.items()},
        }
    return {"kind": "object", "type": kind.__module__ + "." + kind.__qualname__}


def _join_shapes(a, b):
    if a is None or b is None or len(a) != len(b):
        return None
    return [x if x == y else None for x, y in zip(a, b)]


def _same_sort(a, b):
    if a["kind"] != b["kind"]:
        return False
    if a["kind"] in ("tensor", "variable", "ndarray"):
        return a["dtype"] == b["dtype"]
    if a["kind"] in ("scalar", "object"):
        return a["type"] == b["type"]
    if a["kind"] in ("tuple", "list"):
        return len(a["items"]) == len(b["items"])
    if a["kind"] == "dict":
        return sorted(a["items"]) == sorted(b["items"])
    return True


def _join(a, b):
    """Joins two observations of the same sort (see `_same_sort`)."""
    kind = a["kind"]
    if kind in ("tensor", "variable", "ndarray"):
        joined = dict(a)
        joined["shape"] = _join_shapes(a["shape"], b["shape"])
        return joined
    if kind == "scalar":
        values = list(a["values"])
        for value in b["values"]:
            if value not in values and len(values) < MAX_VALUES:
                values.append(value)
        joined = dict(a)
        joined["values"] = values
        return joined
    if kind in ("tuple", "list"):
        return {"kind": kind, "items": [_join_alternatives(x, y) for x, y in zip(a["items"], b["items"])]}
    if kind == "dict":
        return {
            "kind": "dict",
            "items": {k: _join_alternatives(a["items"][k], b["items"][k]) for k in a["items"]},
        }
    return a


def _join_alternatives(a, b):
    # Items of containers join when they are of one sort, else are
    # "mixed" (the profile keeps alternatives only at parameter level).
    if _same_sort(a, b):
        return _join(a, b)
    return {"kind": "mixed"}


def _add(kinds, observed):
    """Adds one observation to a parameter's list of alternatives."""
    for i, known in enumerate(kinds):
        if _same_sort(known, observed):
            kinds[i] = _join(known, observed)
            return
    if len(kinds) < MAX_VALUES:
        kinds.append(observed)


def _saturated(kinds):
    if len(kinds) != 1:
        return len(kinds) >= MAX_VALUES
    only = kinds[0]
    if only["kind"] in ("tensor", "variable", "ndarray"):
        shape = only["shape"]
        return shape is None or all(d is None for d in shape)
    if only["kind"] == "scalar":
        return len(only["values"]) >= MAX_VALUES
    return only["kind"] == "object"


def _record_arguments(record, frame):
    full = record.calls <= FULL_CALLS
    values = frame.f_locals
    for name in record.names:
        if not full and name in record.saturated:
            continue
        if name not in values:
            continue
        kinds = record.params.setdefault(name, [])
        _add(kinds, _kind_of(values[name]))
        if _saturated(kinds):
            record.saturated.add(name)


def _trace(frame, event, arg):
    # The global trace function: called at the start of every Python frame
    # (never for C functions, unlike a profile function). It returns None
    # for a frame of code outside the project, so that frame runs with no
    # more calls into the tracer; a project frame gets `_local`, for its
    # return, with line events off.
    code = frame.f_code
    record = _records.get(id(code), _MISSING)
    if record is _MISSING:
        record = _classify(code)
    if record is None:
        return None
    record.calls += 1
    if record.calls <= MAX_ARGUMENT_CALLS and (
        record.calls <= FULL_CALLS or len(record.saturated) < len(record.names)
    ):
        try:
            _record_arguments(record, frame)
        except Exception:
            pass
    frame.f_trace_lines = False
    ident = _get_ident()
    stack = _stacks.get(ident)
    if stack is None:
        stack = _stacks[ident] = []
    stack.append((code, record, _clock()))
    return _local


def _local(frame, event, arg):
    # A project frame's own events: "return" (also when an exception
    # leaves it, or a generator yields) ends the time spent in it.
    if event == "return":
        stack = _stacks.get(_get_ident())
        if stack and stack[-1][0] is frame.f_code:
            _, record, start = stack.pop()
            record.seconds += _clock() - start
    return _local


# Graph functions: at exit, how often each was traced, and the signatures
# of its traces (the original function's code never runs when AutoGraph
# converts it, so its arguments are read from its concrete functions).


def _graph_functions():
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return {}
    import gc

    try:
        from tensorflow.python.eager.polymorphic_function.polymorphic_function import (
            Function,
        )
    except Exception:
        return {}
    found = {}
    for obj in gc.get_objects():
        try:
            if not isinstance(obj, Function):
                continue
            function = obj.python_function
            code = getattr(function, "__code__", None)
            if code is None:
                code = getattr(getattr(function, "__func__", None), "__code__", None)
            if code is None:
                continue
            record = _records.get(id(code), _MISSING)
            if record is _MISSING:
                record = _classify(code)
            if record is None:
                continue
            count = obj.experimental_get_tracing_count()
            signatures = []
            for concrete in obj._list_all_concrete_functions():
                signatures.append(concrete.structured_input_signature)
            entry = found.setdefault(code, {"traces": 0, "signatures": []})
            entry["traces"] += count
            entry["signatures"].extend(signatures)
        except Exception:
            continue
    return found


def _spec_kind(value, depth=0):
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(value, tf.TensorSpec):
        return {"kind": "tensor", "dtype": _dtype_name(value.dtype), "shape": _shape_list(value.shape)}
    return _kind_of(value, depth)


def _graph_params(record, signatures):
    names = [n for n in record.names]
    params = {}
    for args, kwargs in signatures:
        # A method's concrete functions are bound: `self` is not in them.
        offset = len(names) - len(args) - len(kwargs)
        offset = offset if offset in (0, 1) else 0
        for i, value in enumerate(args):
            if offset + i < len(names):
                _add(params.setdefault(names[offset + i], []), _spec_kind(value))
        for name, value in kwargs.items():
            _add(params.setdefault(name, []), _spec_kind(value))
    return params


# Source hashes: FNV-1a (64 bits) of the bytes of a function from its `def`
# (or `async`) keyword to the end of its last statement, decorators left
# out. The Rust side computes the same from the same range.


def _fnv1a(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def _functions_of(path):
    """Per (first line, name): the qualified name, `def` line and hash."""
    import ast

    with open(path, "rb") as handle:
        data = handle.read()
    tree = ast.parse(data)
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    found = {}

    def visit(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + node.name
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                start = starts[node.lineno - 1] + node.col_offset
                end = starts[node.end_lineno - 1] + node.end_col_offset
                found[(first, node.name)] = (qualname, node.lineno, _fnv1a(data[start:end]))
                visit(node.body, qualname + ".")
            elif isinstance(node, ast.ClassDef):
                visit(node.body, prefix + node.name + ".")
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        visit(inner, prefix)
                for case in getattr(node, "cases", []) or []:
                    visit(case.body, prefix)

    visit(tree.body, "")
    return found


def _entries(graph):
    files = {}
    entries = []
    for record in list(_records.values()):
        if record is None:
            continue
        code = record.code
        if record.calls == 0 and code not in graph:
            continue
        if record.file not in files:
            try:
                files[record.file] = _functions_of(os.path.join(os.path.realpath(_ROOT), record.file))
            except Exception:
                files[record.file] = {}
        found = files[record.file].get((code.co_firstlineno, code.co_name))
        if found is None:
            continue
        qualname, line, source_hash = found
        params = record.params
        traces = None
        if code in graph:
            traces = graph[code]["traces"]
            params = _graph_params(record, graph[code]["signatures"]) or params
        entries.append(
            {
                "file": record.file,
                "function": qualname,
                "line": line,
                "source_hash": source_hash,
                "calls": record.calls,
                "seconds": round(record.seconds, 6),
                "traces": traces,
                "params": [
                    {"name": name, "kinds": params[name]} for name in record.names if name in params
                ],
            }
        )
    return entries


def _merge(old, new):
    """Merges one process's entry into the same function's entry of another."""
    merged = dict(old)
    merged["calls"] = old["calls"] + new["calls"]
    merged["seconds"] = round(old["seconds"] + new["seconds"], 6)
    if old["traces"] is None or new["traces"] is None:
        merged["traces"] = old["traces"] if new["traces"] is None else new["traces"]
    else:
        merged["traces"] = old["traces"] + new["traces"]
    params = {p["name"]: list(p["kinds"]) for p in old["params"]}
    order = [p["name"] for p in old["params"]]
    for param in new["params"]:
        if param["name"] not in params:
            params[param["name"]] = []
            order.append(param["name"])
        for kind in param["kinds"]:
            _add(params[param["name"]], kind)
    merged["params"] = [{"name": name, "kinds": params[name]} for name in order]
    return merged


def _write():
    replaced = sys.gettrace() is not _trace
    sys.settrace(None)
    try:
        import threading

        threading.settrace(None)
    except Exception:
        pass
    if replaced:
        sys.stderr.write(
            "hybridize trace: another tool (coverage, a debugger) replaced the trace function in this process; calls after that were not observed\n"
        )
    if not _OUT:
        return
    try:
        entries = _entries(_graph_functions())
    except Exception:
        return
    import fcntl
    import json

    with open(_OUT + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(_OUT) as handle:
                known = json.load(handle)
        except Exception:
            known = {"processes": 0, "functions": []}
        by_key = {(e["file"], e["function"], e["line"]): i for i, e in enumerate(known["functions"])}
        for entry in entries:
            key = (entry["file"], entry["function"], entry["line"])
            if key in by_key:
                i = by_key[key]
                known["functions"][i] = _merge(known["functions"][i], entry)
            else:
                by_key[key] = len(known["functions"])
                known["functions"].append(entry)
        known["processes"] += 1
        with open(_OUT + ".tmp", "w") as handle:
            json.dump(known, handle)
        os.replace(_OUT + ".tmp", _OUT)


def _chain():
    """Runs the `sitecustomize` this one hides, if there is one."""
    import importlib.machinery
    import importlib.util

    path = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["_hybridize_chained_sitecustomize"] = module
    spec.loader.exec_module(module)


def _install():
    global _get_ident, _clock
    import threading
    import time
    from _thread import get_ident

    _get_ident = get_ident
    _clock = time.perf_counter
    atexit.register(_write)
    sys.settrace(_trace)
    threading.settrace(_trace)


if _OUT:
    _install()
try:
    _chain()
except Exception as error:
    sys.stderr.write("hybridize trace: the project's own sitecustomize failed: %r\n" % (error,))
