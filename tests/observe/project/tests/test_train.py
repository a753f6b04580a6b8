import train


def test_training_runs(capsys):
    # Long enough that a graph `loss_of` pays off far beyond the noise.
    assert train.main(["train.py", "200"]) == 0
    assert "RESULT" in capsys.readouterr().out
