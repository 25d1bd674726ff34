"""Taskflow, followed statically: flows built of tasks, run by an engine.

OpenStack services run some operations as taskflow flows (Cinder's volume create in its
API, scheduler and volume manager): a flow (`linear_flow.Flow(name)`) collects task
instances passed to `.add(...)`, in order; an engine loaded with it
(`taskflow.engines.load(flow, store={...})`) runs, on `.run()`, each task's `execute`
method in turn, binding its parameters by name from the store and from what earlier tasks
provided (a returned dict, or the value under the task's `default_provides` name).
`taskflow.engines.run(flow, store=...)` loads and runs at once. What a task provides is
approximate: names whose values are not known statically stand for themselves.

A task's `revert` is its error path: drawn only with `--errors`, in an `opt` after the
tasks, last task first (the order taskflow reverts in).

taskflow is a library outside the tree: it is recognised by the import its names come
from (`taskflow.patterns.linear_flow`, `taskflow.engines`), never run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracer.index import ir
from tracer.model import Block, Branch
from tracer.trace.values import (
    ArgsV, ClassV, ConstV, DictV, ListV, Obj, TaskflowCallV, TaskflowV, Text, Value,
)

if TYPE_CHECKING:
    from tracer.trace.engine import Engine, Frame

PATTERNS = ("linear_flow", "unordered_flow", "graph_flow")
# what a flow's tasks run as, and the methods of a task taskflow calls
EXECUTE, REVERT = "execute", "revert"


def imported(func: ir.Expr, frame: Frame) -> str | None:
    """The dotted path `func` names through an import of taskflow (`linear_flow.Flow` ->
    taskflow.patterns.linear_flow.Flow, `taskflow.engines.load`), else None."""
    dotted = imported_path(func, frame)
    return dotted if dotted is not None and (dotted == "taskflow" or
                                             dotted.startswith("taskflow.")) else None


def imported_path(func: ir.Expr, frame: Frame) -> str | None:
    """The dotted path `func` names through one of its module's imports
    (`key_manager.API` -> castellan.key_manager.API), else None."""
    parts: list[str] = []
    while type(func) is ir.Attr:
        parts.append(func.attr)
        func = func.value
    if type(func) is not ir.Name or func.id in frame.env:
        return None
    found = frame.module.imports.get(func.id)
    return None if found is None else ".".join([found.target, *reversed(parts)])


def library_call(engine: Engine, dotted: str, args: tuple, kwargs: dict, frame: Frame,
                 line: int) -> Value | None:
    """A call of taskflow's own API: a new flow, an engine loaded (or run) with one."""
    module, _, name = dotted.rpartition(".")
    pattern = module.rsplit(".", 1)[-1]
    if name == "Flow" and pattern in PATTERNS:
        return TaskflowV("flow", pattern)
    if module.endswith("taskflow.engines") and name in ("load", "run") and args and \
            type(args[0]) is TaskflowV and args[0].kind == "flow":
        store = dict(_store(kwargs.get("store")))
        loaded = TaskflowV("engine", flow=args[0], store=store, symbols=dict(store))
        if name == "run":
            run(engine, loaded, frame, line)
        return loaded
    return None


def attribute(value: TaskflowV, name: str) -> Value:
    """`engine.storage`, or a method of a flow, engine or storage."""
    if value.kind == "engine" and name == "storage":
        return TaskflowV("storage", flow=value)
    return TaskflowCallV(value, name)


def method_call(engine: Engine, callee: TaskflowCallV, args: tuple, kwargs: dict,
                frame: Frame, line: int) -> Value:
    target, name = callee.target, callee.method
    if target.kind == "flow" and name == "add":
        target.tasks.extend(args)
        return target
    if target.kind == "engine" and name == "run":
        run(engine, target, frame, line)
        return ConstV(None)
    if target.kind == "storage" and name in ("fetch", "get") and args and \
            type(args[0]) is ConstV and isinstance(args[0].value, str):
        symbols = target.flow.symbols if target.flow is not None else {}
        return symbols.get(args[0].value, Text(args[0].value))
    return Text(f"{name}()")


def run(engine: Engine, loaded: TaskflowV, frame: Frame, line: int) -> None:
    """Run every task of the engine's flow, in order: each task's `execute`, then (with
    --errors) the reverts."""
    tasks = _tasks(loaded.flow)
    if not tasks:
        return
    names = ", ".join(_task_name(t) for t in tasks)
    if loaded.ran:
        # the same engine run again (in another branch: `_run_flow()`, or the same under
        # a lock): its tasks are drawn once, where it first ran
        engine.note(frame, f"taskflow runs the flow drawn above ({len(tasks)} tasks)", line)
        return
    loaded.ran = True
    how = "in order" if loaded.flow.pattern == "linear_flow" else \
        f"({loaded.flow.pattern}: drawn in the order added)"
    engine.note(frame, f"taskflow runs {how}: {names}", line)
    # each run starts from the store (a flow run in two branches runs alike in each);
    # what the tasks provide is kept for `engine.storage.fetch(name)`
    symbols = dict(loaded.store)
    ran = []
    for task in tasks:
        if type(task) is not Obj:
            continue
        result = _call_task(engine, task, EXECUTE, symbols, frame, line)
        if result is None:
            continue
        ran.append(task)
        _provide(engine, task, result, symbols)
    loaded.symbols = symbols
    if engine.options.errors:
        reverts = engine.collect(lambda: [
            _call_task(engine, task, REVERT, {**symbols, "result": Text("result")}, frame,
                       line) for task in reversed(ran)])
        if reverts:
            engine.emit(Block("opt", (Branch("if a task fails (taskflow reverts the tasks "
                                             "run, last first)", tuple(reverts)),),
                              frame.fn.dotted, frame.module.path, line))


def _call_task(engine: Engine, task: Obj, method: str, symbols: dict, frame: Frame,
               line: int) -> Value | None:
    """Follow `task.<method>(...)` with its parameters bound by name from `symbols`;
    a `**kwargs` parameter receives every other symbol. None: the task has no such method
    in the tree."""
    from tracer.trace.engine import UNKNOWN_REST
    from tracer.trace.values import FuncV

    fn = engine.index.find_method(task.cls, method)
    if fn is None:
        return None
    params = fn.function.params[1:]
    named = {p.name for p in params if p.kind not in ("vararg", "kwarg")}
    kwargs: dict[str, Value] = {name: value for name, value in symbols.items()
                                if name in named}
    if any(p.kind == "kwarg" for p in params):
        kwargs.update((name, value) for name, value in symbols.items() if name not in named)
    # a required name missing from the symbols stands for itself, not a default
    kwargs[UNKNOWN_REST] = ConstV(None)
    return engine.invoke(FuncV(fn, task), (), kwargs, frame, line)


def _provide(engine: Engine, task: Obj, result: Value, symbols: dict) -> None:
    """What a task's execute returned, under the names it provides: a dict's keys, else
    the single name of its `default_provides` (a class attribute)."""
    if type(result) is DictV:
        for key, value in result.items:
            name = _literal(key)
            if name is not None:
                symbols[name] = value
        return
    provides = engine.index.class_attr(task.cls, "default_provides")
    if provides is not None and type(provides[1]) is ir.Const and \
            isinstance(provides[1].value, str):
        symbols[provides[1].value] = result


def _tasks(flow: TaskflowV | None) -> list[Value]:
    """The tasks of a flow in the order added, nested flows spread in place."""
    if flow is None:
        return []
    found: list[Value] = []
    for item in flow.tasks:
        if type(item) is TaskflowV and item.kind == "flow":
            found.extend(_tasks(item))
        elif type(item) is ListV:
            found.extend(item.items)
        else:
            found.append(item)
    return found


def _task_name(task: Value) -> str:
    if type(task) in (Obj, ClassV):
        return task.cls.cls.name
    return "?"


def _store(store: Value | None) -> list[tuple[str, Value]]:
    if type(store) is DictV:
        return [(name, value) for key, value in store.items
                if (name := _literal(key)) is not None]
    if type(store) is ArgsV:
        return list(store.keywords)
    return []


def _literal(key: str) -> str | None:
    """A dict key as written (`'volume'`) -> the string; None if not a string literal."""
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        return key[1:-1]
    return None
