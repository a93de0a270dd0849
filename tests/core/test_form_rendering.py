"""One way forms render: ``{{ form }}`` anywhere has the app's markup (core/formrender.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation


class Everything(forms.Form):
    name = forms.CharField(label="名称", max_length=20, help_text="单位全称。")
    email = forms.EmailField(label="邮箱", required=False)
    level = forms.ChoiceField(label="层级", choices=[("school", "学校"), ("zone", "片区")])
    types = forms.MultipleChoiceField(
        label="学校类型",
        choices=[("primary", "小学"), ("junior", "初中"), ("senior", "高中")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    late = forms.BooleanField(label="接受逾期提交", required=False)
    opens_on = forms.DateField(label="开始日期")
    deadline = forms.DateTimeField(label="截止时间")
    picked = forms.DateField(label="已定类型", widget=forms.DateInput(attrs={"type": "date"}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)


INITIAL = {
    "opens_on": dt.date(2026, 3, 1),
    "deadline": dt.datetime(2026, 3, 20, 17, 30),
    "picked": dt.date(2026, 3, 2),
}


def blocks(html: str) -> dict[str, str]:
    """Each field's block of markup, by field name (nested divs in a widget are balanced)."""
    found = {}
    for start in re.finditer(r'<(div|fieldset) class="field(?: [^"]*)?"', html):
        tag, depth, end = start.group(1), 0, start.start()
        for tok in re.finditer(rf"<(/?){tag}\b", html[start.start() :]):
            depth += -1 if tok.group(1) else 1
            if depth == 0:
                end = start.start() + tok.end() + 1
                break
        block = html[start.start() : end]
        name = re.search(r'name="(\w+)"', block)
        found[name.group(1)] = block
    return found


@pytest.fixture(params=["zh-hans", "en"])
def language(request):
    with translation.override(request.param):
        yield request.param


def test_every_field_is_one_block_with_label_widget_and_help(language):
    html = str(Everything(initial=INITIAL))
    fields = blocks(html)
    assert set(fields) == {
        "name", "email", "level", "types", "late", "opens_on", "deadline", "picked"
    }  # fmt: skip
    assert '<label for="id_name">名称<span class="required-mark"' in fields["name"]
    assert 'id="id_name_helptext"' in fields["name"]
    assert 'aria-describedby="id_name_helptext"' in fields["name"]
    assert "required-mark" not in fields["email"] and "required-mark" not in fields["late"]
    assert 'type="hidden" name="token"' in html and "token" not in fields


def test_choices_are_a_fieldset_with_a_grid_and_a_checkbox_sits_in_its_label(language):
    fields = blocks(str(Everything()))
    assert fields["types"].startswith('<fieldset class="field field-choices"')
    assert "<legend>学校类型</legend>" in fields["types"]
    assert '<div class="choice-grid">' in fields["types"]
    assert fields["types"].count('type="checkbox"') == 3
    assert re.search(
        r'<label for="id_late"><input type="checkbox"[^>]*> <span>接受逾期提交', fields["late"]
    )


def test_dates_are_native_inputs_with_iso_values(language):
    fields = blocks(str(Everything(initial=INITIAL)))
    # zh-Hans would format 2026/03/01 by default, which a date input cannot show.
    assert 'type="date" name="opens_on" value="2026-03-01"' in fields["opens_on"]
    assert 'type="datetime-local" name="deadline" value="2026-03-20T17:30"' in fields["deadline"]
    assert 'type="date" name="picked" value="2026-03-02"' in fields["picked"]


def test_what_the_native_inputs_send_is_accepted(language):
    data = {"name": "甲县", "level": "school", "opens_on": "2026-03-01"}
    data |= {"deadline": "2026-03-20T17:30", "picked": "2026-03-02"}
    form = Everything(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["opens_on"] == dt.date(2026, 3, 1)
    deadline = timezone.localtime(form.cleaned_data["deadline"])
    assert (deadline.date(), deadline.hour, deadline.minute) == (dt.date(2026, 3, 20), 17, 30)


def test_errors_sit_next_to_their_field(language):
    form = Everything({"name": "", "level": "nope", "opens_on": "2026-13-01"})
    form.add_error(None, "整体有误")
    html = str(form)
    fields = blocks(html)
    assert html.startswith('<div class="form-errors" role="alert">') and "整体有误" in html
    for name in ("name", "level", "opens_on", "deadline"):
        assert "has-error" in fields[name].split(">", 1)[0]
        assert '<div class="field-errors" role="alert">' in fields[name]
        assert 'aria-invalid="true"' in fields[name]
    assert "has-error" not in fields["email"]


def test_as_div_and_field_groups_use_the_same_field_template():
    form = Everything(initial=INITIAL)
    assert 'class="required-mark"' in form.as_div()
    rendered = Template("{{ form.opens_on.as_field_group }}").render(Context({"form": form}))
    assert rendered.strip().startswith('<div class="field">') and 'type="date"' in rendered


@pytest.mark.django_db
def test_the_invite_form_renders_with_the_shared_markup(office_client):
    html = office_client.get(reverse("accounts:invite")).content.decode()
    fields = blocks(html)
    assert {"email", "full_name", "role", "unit"} <= set(fields)
    assert 'class="required-mark"' in fields["email"] and "required-mark" not in fields["full_name"]
    assert 'class="helptext"' in fields["role"]


@pytest.mark.django_db
def test_an_invalid_invite_shows_the_error_in_the_field(office_client):
    response = office_client.post(reverse("accounts:invite"), {"email": "not-an-address"})
    fields = blocks(response.content.decode())
    assert "has-error" in fields["email"] and "field-errors" in fields["email"]


@pytest.mark.django_db
def test_other_apps_forms_get_it_too(office_client):
    # The standards import page writes {{ form.as_div }}: the shared field template applies.
    fields = blocks(office_client.get(reverse("standards:list")).content.decode())
    assert 'class="required-mark"' in fields["file"]
    assert fields["dry_run"].startswith('<div class="field field-check">')
    assert "required-mark" not in fields["note"]
