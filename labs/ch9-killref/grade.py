# ch9-killref: an abort by id that reads a task after it may have been freed. At the start the
# stress panics in task_abort ("not a live task handle") within a second or two (15 boots of 15
# on a loaded host); should the freed memory be reused unnoticed instead, the timeout ends it.


@test(80)
def abort_by_id_races_task_end(g):
    run = g.ktest("lab_killref_race", smp=2, timeout=20)
    run.verdict(r"killref: ok, 1000 tasks ended, \d+ aborted by id")


@test(20, baseline=True)
def abort_by_id_contract(g):
    run = g.ktest("lab_killref_basics", smp=2, timeout=30)
    run.verdict("killref: basics ok")
