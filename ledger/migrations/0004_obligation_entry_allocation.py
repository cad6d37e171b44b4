from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalledgerentry",
            name="allocation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("default", "法定顺序"),
                    ("principal_first", "先本后息（有约定或指定）"),
                    ("interest_first", "先息后本（有约定）"),
                ],
                max_length=16,
                verbose_name="清偿抵充顺序",
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="allocation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("default", "法定顺序"),
                    ("principal_first", "先本后息（有约定或指定）"),
                    ("interest_first", "先息后本（有约定）"),
                ],
                max_length=16,
                verbose_name="清偿抵充顺序",
            ),
        ),
    ]
