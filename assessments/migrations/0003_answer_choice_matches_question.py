"""The database refuses an answer whose choice belongs to another question.

PostgreSQL: a composite foreign key (choice_id, question_id) -> choice (id, question_id).
SQLite cannot add constraints to an existing table, so triggers do the same check.
"""

from django.db import migrations

POSTGRES_UP = """
ALTER TABLE assessments_answer ADD CONSTRAINT answer_choice_of_question
    FOREIGN KEY (choice_id, question_id)
    REFERENCES assessments_choice (id, question_id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE assessments_agreedanswer ADD CONSTRAINT agreed_choice_of_question
    FOREIGN KEY (choice_id, question_id)
    REFERENCES assessments_choice (id, question_id) DEFERRABLE INITIALLY DEFERRED;
"""
POSTGRES_DOWN = """
ALTER TABLE assessments_answer DROP CONSTRAINT answer_choice_of_question;
ALTER TABLE assessments_agreedanswer DROP CONSTRAINT agreed_choice_of_question;
"""

SQLITE_TRIGGER = """
CREATE TRIGGER {table}_choice_of_question_{event}
BEFORE {event} ON {table}
FOR EACH ROW WHEN NEW.choice_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM assessments_choice c WHERE c.id = NEW.choice_id AND c.question_id = NEW.question_id
)
BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: the choice belongs to another question'); END;
"""
TABLES = ("assessments_answer", "assessments_agreedanswer")
EVENTS = ("INSERT", "UPDATE")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for table in TABLES:
            for event in EVENTS:
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, event=event))


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for table in TABLES:
            for event in EVENTS:
                schema_editor.execute(f"DROP TRIGGER {table}_choice_of_question_{event}")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_campaigns")]
    operations = [migrations.RunPython(forwards, backwards)]
