"""Keys from PEC's sequences (``seq_<table>``), found in the catalogue, on both backends."""

from __future__ import annotations

import threading

import pytest
from peewee import BigIntegerField, CharField, Model

from pec_tui.storage import sequences
from pec_tui.storage.database import open_database
from pec_tui.storage.fields import FlagField
from pec_tui.storage.sequences import NoSequence, find_sequence, next_id, next_ids


class Sample(Model):
    id = BigIntegerField(primary_key=True, column_name="co_seq_amostra")
    name = CharField(max_length=20, column_name="no_amostra")
    active = FlagField(null=True, column_name="st_ativo")

    class Meta:
        table_name = "tb_amostra"


@pytest.fixture
def sample(empty_db):
    db = empty_db.db
    Sample.bind(db)
    db.execute_sql(
        "CREATE TABLE tb_amostra (co_seq_amostra bigint PRIMARY KEY, no_amostra varchar(20) NOT NULL, st_ativo integer)"
    )
    if empty_db.target.kind == "postgresql":
        db.execute_sql("CREATE SEQUENCE seq_tb_amostra START 41")
    else:
        sequences.create_sqlite_table(db)
    return empty_db


def test_the_sequence_is_pecs_seq_table(sample):
    db = sample.db
    expected = "public.seq_tb_amostra" if sample.target.kind == "postgresql" else "seq_tb_amostra"
    assert find_sequence(db, Sample) == expected


def test_keys_come_from_the_sequence_in_order_and_never_repeat(sample):
    db = sample.db
    first = next_id(db, Sample)
    pool = next_ids(db, Sample, 5)
    assert pool == list(range(first + 1, first + 6))
    if sample.target.kind == "postgresql":
        assert first == 41  # the sequence's own start, not max()+1 of the table
    Sample.insert(id=next_id(db, Sample), name="a", active=True).execute()
    assert Sample.get().id == first + 6


POSTGRES_ONLY = pytest.mark.parametrize(
    "empty_db", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@POSTGRES_ONLY  # SQLite stands in for every sequence
def test_a_table_without_a_sequence_is_refused_in_portuguese(empty_db):
    db = empty_db.db
    Sample.bind(db)
    db.execute_sql("CREATE TABLE tb_amostra (co_seq_amostra bigint PRIMARY KEY, no_amostra varchar(20))")
    with pytest.raises(NoSequence, match="seq_tb_amostra"):
        next_id(db, Sample)


@POSTGRES_ONLY
def test_a_serial_key_uses_its_own_sequence(empty_db):
    db = empty_db.db
    Sample.bind(db)
    db.execute_sql("CREATE TABLE tb_amostra (co_seq_amostra bigserial PRIMARY KEY, no_amostra varchar(20))")
    assert find_sequence(db, Sample) == "public.tb_amostra_co_seq_amostra_seq"


def test_parallel_connections_never_draw_the_same_key(sample):
    """Eight threads, each on its own connection, draw 50 keys each: 400 distinct keys."""
    target = sample.target
    drawn: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def draw() -> None:
        opened = open_database(target)
        try:
            start.wait()
            keys = [key for _ in range(10) for key in next_ids(opened.db, Sample, 5)]
            with lock:
                drawn.extend(keys)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            opened.db.close()

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(drawn) == 400 and len(set(drawn)) == 400


def test_flags_are_integers_in_the_database_and_bools_in_python(sample):
    db = sample.db
    Sample.insert(id=next_id(db, Sample), name="sim", active=True).execute()
    Sample.insert(id=next_id(db, Sample), name="não", active=False).execute()
    Sample.insert(id=next_id(db, Sample), name="nulo", active=None).execute()
    raw = dict(db.execute_sql("SELECT no_amostra, st_ativo FROM tb_amostra").fetchall())
    assert raw == {"sim": 1, "não": 0, "nulo": None}
    assert [row.name for row in Sample.select().where(Sample.active == True)] == ["sim"]
    assert Sample.get(Sample.name == "não").active is False
    with pytest.raises(ValueError):
        Sample.insert(id=next_id(db, Sample), name="dois", active=2).execute()
