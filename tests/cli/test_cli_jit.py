"""``wengert trace ... --jit``: the optimised program beside the trace."""

from __future__ import annotations

from wengert import cli

SEED = "ln(x1) + x1*x2 - sin(x2)"


def test_trace_jit_reverse_shows_both_programs_and_the_code(capsys):
    assert cli.main(["trace", SEED, "--at", "x1=2", "x2=5", "--mode", "reverse", "--jit"]) == 0
    out = capsys.readouterr().out
    assert "jit (reverse): 13 equations -> 10 (3 removed: algebra 3)" in out
    assert "traced (13)" in out and "optimised (10)" in out
    assert "def value_and_grad_f_jit(a0, a1):" in out and "return (_f64(v5), (" in out


def test_trace_jit_forward_and_primal(capsys):
    assert cli.main(["trace", SEED, "--at", "x1=2", "x2=5", "--mode", "forward", "--wrt",
                     "x2", "--jit"]) == 0
    out = capsys.readouterr().out
    assert "jit (forward):" in out and "def jvp_jit(a0, a1):" in out
    assert cli.main(["trace", "x*x + x*x", "--at", "x=3", "--jit"]) == 0
    out = capsys.readouterr().out
    assert "(1 removed: cse 1)" in out
