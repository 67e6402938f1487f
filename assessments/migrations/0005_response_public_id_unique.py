import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Response = apps.get_model("assessments", "Response")
    for response in Response.objects.filter(public_id__isnull=True).only("pk"):
        Response.objects.filter(pk=response.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_invitations")]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="response",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
