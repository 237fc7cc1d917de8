"""The leave rules, as code, each citing the regulation it comes from.

Sources (DESIGN.md): PP 11/2017 on the management of civil servants as amended by
PP 17/2020 (PNS leave: the kinds of leave, entitlements and conditions); Peraturan BKN
24/2017 as amended by Peraturan BKN 7/2021 (procedures: carry-over, deferral, evidence,
who decides); Peraturan BKN 7/2022 (leave of PPPK).

The functions here are pure: they take the facts about an employee and a requested
range (gathered by leave/selectors.py) and return refusals with an Indonesian message
that names the rule. Nothing here touches the database, so the rules are tested as a
table of cases.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from leave.models import LeaveEvidence, LeaveType

PNS = "pns"
PPPK = "pppk"

PP_11_2017 = "PP 11/2017 jo. PP 17/2020"
BKN_24_2017 = "Peraturan BKN 24/2017 jo. Peraturan BKN 7/2021"
BKN_7_2022 = "Peraturan BKN 7/2022"

ANNUAL_DAYS = 12  # working days a year
CARRY_OVER_MAX = 6  # unused days that move to the next year (max 18 with the new 12)
ANNUAL_MAX_CARRIED = 18
ANNUAL_MAX_AFTER_UNUSED = 24  # after 2+ consecutive unused years, or a deferral
CARRY_OVER_MAX_AFTER_UNUSED = ANNUAL_MAX_AFTER_UNUSED - ANNUAL_DAYS
SICK_NOTIFY_ONLY_DAYS = 1
SICK_DOCTOR_MAX_DAYS = 14


@dataclass(frozen=True)
class Rule:
    code: str
    basis: str
    summary: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule("dates_ordered", "", "Tanggal selesai tidak boleh sebelum tanggal mulai."),
        Rule("working_day", BKN_24_2017, "Cuti dihitung dalam hari kerja; paling sedikit 1 hari."),
        Rule("no_backdating", BKN_24_2017, "Permohonan diajukan sebelum cuti dimulai."),
        Rule("no_overlap", BKN_24_2017, "Satu hari hanya dapat dimohonkan untuk satu cuti."),
        Rule(
            "pppk_types",
            BKN_7_2022,
            "PPPK berhak atas cuti tahunan, cuti sakit, cuti melahirkan dan cuti bersama; "
            "tidak ada cuti besar, cuti karena alasan penting, atau CLTN.",
        ),
        Rule(
            "annual_eligibility",
            f"{PP_11_2017} (cuti tahunan); {BKN_7_2022} (PPPK)",
            "Cuti tahunan setelah bekerja paling singkat 1 tahun secara terus-menerus.",
        ),
        Rule(
            "annual_balance",
            f"{PP_11_2017}; {BKN_24_2017} (Lampiran, cuti tahunan)",
            "Hak cuti tahunan 12 hari kerja; sisa paling banyak 6 hari dibawa ke tahun "
            "berikutnya (paling lama 18 hari); setelah 2 tahun atau lebih berturut-turut tidak "
            "digunakan, atau ditangguhkan, paling lama 24 hari.",
        ),
        Rule(
            "annual_one_year",
            BKN_24_2017,
            "Cuti tahunan dipakai dari hak tahun yang bersangkutan; ajukan terpisah per tahun.",
        ),
        Rule(
            "annual_not_with_big",
            f"{PP_11_2017} (cuti besar)",
            "PNS yang menggunakan cuti besar tidak berhak atas cuti tahunan dalam tahun itu.",
        ),
        Rule(
            "big_eligibility",
            f"{PP_11_2017} (cuti besar); {BKN_24_2017}",
            "Cuti besar setelah bekerja paling singkat 5 tahun terus-menerus; syarat ini "
            "tidak berlaku untuk ibadah haji pertama.",
        ),
        Rule(
            "big_length",
            f"{PP_11_2017} (cuti besar)",
            "Cuti besar paling lama 3 bulan, dikurangi cuti tahunan yang telah diambil "
            "pada tahun yang sama.",
        ),
        Rule(
            "sick_evidence",
            f"{PP_11_2017} (cuti sakit); {BKN_24_2017}",
            "Sakit 1 hari cukup memberi tahu atasan; 2-14 hari dengan surat keterangan dokter; "
            "lebih dari 14 hari dengan surat keterangan dokter pemerintah.",
        ),
        Rule(
            "sick_length",
            f"{PP_11_2017} (cuti sakit)",
            "Cuti sakit paling lama 1 tahun, dapat ditambah paling lama 6 bulan.",
        ),
        Rule(
            "maternity_order",
            f"{PP_11_2017} (cuti melahirkan)",
            "Cuti melahirkan untuk persalinan pertama sampai ketiga; untuk persalinan keempat "
            "dan seterusnya berlaku ketentuan cuti besar.",
        ),
        Rule(
            "maternity_length",
            f"{PP_11_2017}; {BKN_7_2022}",
            "Cuti melahirkan paling lama 3 bulan.",
        ),
        Rule(
            "maternity_sex",
            "NIP (Peraturan BKN tentang NIP), angka ke-15",
            "Cuti melahirkan diberikan kepada pegawai perempuan.",
        ),
        Rule(
            "important_reason",
            f"{PP_11_2017} (cuti karena alasan penting); {BKN_24_2017}",
            "Cuti karena alasan penting paling lama 1 bulan, untuk alasan yang tercantum "
            "dalam peraturan.",
        ),
        Rule(
            "cltn_eligibility",
            f"{PP_11_2017} (CLTN)",
            "CLTN setelah bekerja paling singkat 5 tahun terus-menerus, untuk alasan pribadi "
            "yang penting dan mendesak.",
        ),
        Rule(
            "cltn_length",
            f"{PP_11_2017} (CLTN)",
            "CLTN paling lama 3 tahun, dapat diperpanjang paling lama 1 tahun.",
        ),
    ]
}


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str

    @property
    def basis(self) -> str:
        return RULES[self.rule].basis

    def __str__(self) -> str:
        basis = self.basis
        return f"{self.message} ({basis})" if basis else self.message


@dataclass
class Facts:
    """What the rules need to know; selectors.leave_facts() fills it from the database."""

    employee_kind: str
    service_start: datetime.date
    today: datetime.date
    female: bool = True
    annual_available: int = 0  # ledger balance of the start year less pending requests
    big_leave_in_year: bool = False  # cuti besar approved/pending in the start year
    annual_taken_in_year: int = 0  # working days of cuti tahunan used in the start year
    previous_cltn_end: datetime.date | None = None
    count_working_days: Callable[[datetime.date, datetime.date], int] | None = None


@dataclass
class Application:
    leave_type: str
    start: datetime.date
    end: datetime.date
    working_days: int
    important_reason: str = ""
    delivery_number: int | None = None
    first_hajj: bool = False
    emergency: bool = False
    evidence_kinds: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Verdict:
    refusals: list[Refusal]
    needs_pybmc: bool = True
    deducts_annual: bool = False
    required_evidence: str = ""  # a LeaveEvidence.Kind, or "" for none
    annual_available: int = 0  # the balance the rules judged against (for the preview)

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def messages(self) -> list[str]:
        return [str(refusal) for refusal in self.refusals]


def service_years(service_start: datetime.date, on: datetime.date) -> int:
    return relativedelta(on, service_start).years


def calendar_days(app: Application) -> int:
    return (app.end - app.start).days + 1


def _within(app: Application, **delta: int) -> bool:
    """Whether [start, end] fits in the period `delta` (months=3, years=1…) from start."""
    return app.end <= app.start + relativedelta(**delta) - datetime.timedelta(days=1)


def _refuse(code: str, message: str | None = None) -> Refusal:
    return Refusal(code, message or _(RULES[code].summary))


def sick_evidence_needed(days: int) -> str:
    if days <= SICK_NOTIFY_ONLY_DAYS:
        return ""
    if days <= SICK_DOCTOR_MAX_DAYS:
        return LeaveEvidence.Kind.DOCTOR
    return LeaveEvidence.Kind.GOVERNMENT_DOCTOR


def evaluate(app: Application, facts: Facts) -> Verdict:
    """Every rule that refuses `app` for an employee with `facts`; empty means allowed."""
    if app.end < app.start:
        return Verdict([_refuse("dates_ordered")])
    refusals: list[Refusal] = []
    verdict = Verdict(refusals, annual_available=facts.annual_available)
    pppk = facts.employee_kind == PPPK
    if pppk and app.leave_type not in (LeaveType.TAHUNAN, LeaveType.SAKIT, LeaveType.MELAHIRKAN):
        refusals.append(_refuse("pppk_types"))
        return verdict
    if app.working_days < 1:
        refusals.append(_refuse("working_day", _("Rentang tanggal ini tidak memuat hari kerja.")))
    backdating_allowed = app.leave_type == LeaveType.SAKIT or (
        app.leave_type == LeaveType.ALASAN_PENTING and app.emergency
    )
    if app.start < facts.today and not backdating_allowed:
        refusals.append(
            _refuse(
                "no_backdating",
                _("Tanggal mulai sudah lewat; cuti diajukan sebelum dimulai."),
            )
        )
    years = service_years(facts.service_start, app.start)
    checker = _CHECKS[app.leave_type]
    checker(app, facts, verdict, years, pppk)
    return verdict


def _annual(app: Application, facts: Facts, verdict: Verdict, years: int, pppk: bool) -> None:
    verdict.deducts_annual = True
    if years < 1:
        eligible_on = facts.service_start + relativedelta(years=1)
        verdict.refusals.append(
            _refuse(
                "annual_eligibility",
                _(
                    "Cuti tahunan baru dapat diambil setelah 1 tahun bekerja terus-menerus "
                    "(mulai %(date)s)."
                )
                % {"date": eligible_on.strftime("%d-%m-%Y")},
            )
        )
        return
    if app.start.year != app.end.year:
        verdict.refusals.append(_refuse("annual_one_year"))
        return
    if facts.big_leave_in_year and not pppk:
        verdict.refusals.append(_refuse("annual_not_with_big"))
        return
    if app.working_days > facts.annual_available:
        verdict.refusals.append(
            _refuse(
                "annual_balance",
                _(
                    "Sisa cuti tahunan Anda %(left)s hari kerja, permohonan ini %(asked)s hari "
                    "kerja. Hak cuti tahunan 12 hari kerja; sisa paling banyak 6 hari dibawa ke "
                    "tahun berikutnya (paling lama 18), atau 24 setelah 2 tahun tidak digunakan "
                    "atau ditangguhkan."
                )
                % {"left": facts.annual_available, "asked": app.working_days},
            )
        )


def _big(app: Application, facts: Facts, verdict: Verdict, years: int, pppk: bool) -> None:
    if years < 5 and not app.first_hajj:
        verdict.refusals.append(
            _refuse(
                "big_eligibility",
                _(
                    "Cuti besar baru dapat diambil setelah 5 tahun bekerja terus-menerus "
                    "(masa kerja Anda %(years)s tahun), kecuali untuk ibadah haji pertama."
                )
                % {"years": years},
            )
        )
    if not _within(app, months=3):
        verdict.refusals.append(_refuse("big_length"))
        return
    if facts.annual_taken_in_year and facts.count_working_days is not None:
        allowed = (
            facts.count_working_days(
                app.start, app.start + relativedelta(months=3) - datetime.timedelta(days=1)
            )
            - facts.annual_taken_in_year
        )
        if app.working_days > allowed:
            verdict.refusals.append(
                _refuse(
                    "big_length",
                    _(
                        "Cuti besar paling lama 3 bulan dikurangi %(taken)s hari cuti tahunan "
                        "yang telah diambil tahun ini: paling banyak %(allowed)s hari kerja."
                    )
                    % {"taken": facts.annual_taken_in_year, "allowed": max(allowed, 0)},
                )
            )


def _sick(app: Application, facts: Facts, verdict: Verdict, years: int, pppk: bool) -> None:
    days = calendar_days(app)
    needed = sick_evidence_needed(days)
    verdict.required_evidence = needed
    verdict.needs_pybmc = days > SICK_NOTIFY_ONLY_DAYS
    if not _within(app, years=1, months=6):
        verdict.refusals.append(_refuse("sick_length"))
    if needed == LeaveEvidence.Kind.DOCTOR and not (
        app.evidence_kinds & {LeaveEvidence.Kind.DOCTOR, LeaveEvidence.Kind.GOVERNMENT_DOCTOR}
    ):
        verdict.refusals.append(
            _refuse(
                "sick_evidence",
                _("Cuti sakit 2 sampai 14 hari harus dilampiri surat keterangan dokter."),
            )
        )
    if needed == LeaveEvidence.Kind.GOVERNMENT_DOCTOR and (
        LeaveEvidence.Kind.GOVERNMENT_DOCTOR not in app.evidence_kinds
    ):
        verdict.refusals.append(
            _refuse(
                "sick_evidence",
                _(
                    "Cuti sakit lebih dari 14 hari harus dilampiri surat keterangan dokter "
                    "pemerintah."
                ),
            )
        )


def _maternity(app: Application, facts: Facts, verdict: Verdict, years: int, pppk: bool) -> None:
    if not facts.female:
        verdict.refusals.append(_refuse("maternity_sex"))
    if not pppk:
        if not app.delivery_number:
            verdict.refusals.append(
                _refuse("maternity_order", _("Sebutkan persalinan keberapa (anak ke-)."))
            )
        elif app.delivery_number > 3:
            verdict.refusals.append(
                _refuse(
                    "maternity_order",
                    _("Persalinan keempat dan seterusnya diberikan cuti besar: ajukan cuti besar."),
                )
            )
    if not _within(app, months=3):
        verdict.refusals.append(_refuse("maternity_length"))


def _important(app: Application, facts: Facts, verdict: Verdict, years: int, pppk: bool) -> None:
    if not app.important_reason:
        verdict.refusals.append(
            _refuse("important_reason", _("Pilih alasan penting yang tercantum dalam peraturan."))
        )
    if not _within(app, months=1):
        verdict.refusals.append(_refuse("important_reason"))


def _cltn(app: Application, facts: Facts, verdict: Verdict, years: int, pppk: bool) -> None:
    if years < 5:
        verdict.refusals.append(
            _refuse(
                "cltn_eligibility",
                _(
                    "CLTN baru dapat diajukan setelah 5 tahun bekerja terus-menerus "
                    "(masa kerja Anda %(years)s tahun)."
                )
                % {"years": years},
            )
        )
    extension = facts.previous_cltn_end is not None and (
        facts.previous_cltn_end == app.start - datetime.timedelta(days=1)
    )
    if not _within(app, years=1 if extension else 3):
        verdict.refusals.append(_refuse("cltn_length"))


_CHECKS = {
    LeaveType.TAHUNAN: _annual,
    LeaveType.BESAR: _big,
    LeaveType.SAKIT: _sick,
    LeaveType.MELAHIRKAN: _maternity,
    LeaveType.ALASAN_PENTING: _important,
    LeaveType.CLTN: _cltn,
}


# --- Carry-over ------------------------------------------------------------------------


def carry_over_days(
    *, previous_balance: int, unused_years_in_a_row: int, deferred_last_year: bool
) -> int:
    """Days of last year's balance that move into the new year (the rest expires).

    Up to 6 days (with the new 12: at most 18). After 2 or more consecutive years in
    which no annual leave was used, or when the PYBMC deferred the employee's annual
    leave last year, up to 12 (with the new 12: at most 24). PP 11/2017 jo. PP 17/2020;
    Peraturan BKN 24/2017 jo. 7/2021, Lampiran, cuti tahunan.
    """
    if previous_balance <= 0:
        return 0
    cap = (
        CARRY_OVER_MAX_AFTER_UNUSED
        if unused_years_in_a_row >= 2 or deferred_last_year
        else CARRY_OVER_MAX
    )
    return min(previous_balance, cap)
