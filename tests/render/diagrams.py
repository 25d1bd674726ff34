"""Generated diagrams for render tests: big, wide, nested, deterministic."""

from __future__ import annotations

import random


def big_diagram(lines: int = 420, participants: int = 12, seed: int = 4) -> str:
    """A .wsd text of about `lines` statements over `participants` lifelines."""
    rng = random.Random(seed)
    names = [f"service_{i:02d}" for i in range(participants)]
    out = ["title A long generated flow with many participants"]
    out += [f"participant {name}" for name in names]
    depth = 0
    active: list[str] = []
    while len(out) < lines:
        roll = rng.random()
        a, b = rng.sample(names, 2)
        if roll < 0.05 and depth < 4:
            out.append(f"{rng.choice(['alt', 'opt', 'loop', 'par', 'group'])} condition {len(out)}")
            depth += 1
        elif roll < 0.08 and depth:
            out.append("else otherwise")
        elif roll < 0.12 and depth:
            out.append("end")
            depth -= 1
        elif roll < 0.16:
            out.append(f"# nova/module_{rng.randrange(9)}.py Thing.method_{rng.randrange(20)}")
        elif roll < 0.30:
            out.append(f"note over {a}: check number {len(out)} of the state of things")
        elif roll < 0.34:
            out.append(f"note over {a},{b}: spanning note {len(out)}")
        elif roll < 0.38:
            out.append(f"{a}->{a}: helper_{len(out)}()")
        elif roll < 0.44:
            out.append(f"{a}->+{b}: call_{len(out)}")
            active.append(b)
        elif roll < 0.50 and active:
            callee = active.pop()
            out.append(f"{callee}-->-{a}: call returns {len(out)}")
        elif roll < 0.52:
            out.append(f"note left of {a}: left note {len(out)}")
        elif roll < 0.54:
            out.append(f"note right of {a}: right note {len(out)}")
        else:
            arrow = rng.choice(["->", "->>", "-->", "-->>", "-x"])
            out.append(f"{a}{arrow}{b}: message_{len(out)} with some words (task_state=X)")
    out += ["end"] * depth
    return "\n".join(out) + "\n"
