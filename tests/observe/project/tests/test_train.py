import train


def test_training_runs(capsys):
    assert train.main(["train.py", "3"]) == 0
    assert "RESULT" in capsys.readouterr().out
