"""Invoices over HTTP: GET /retailer/invoices, /retailer/invoices/{id} and
/retailer/invoices/{id}/specification, in the media types bol lists per invoice.

- The list: `period-start-date` and `period-end-date` (ISO dates) go together and span at most
  31 days (both days counted), else 400; without them, the invoices issued in the past 4 weeks.
  An invoice is listed when it was issued (Amsterdam's calendar) within the period. The media
  types of each invoice are listed in their plain form; a request must name them in the API's
  standard form (`application/vnd.retailer.v10+pdf` for `application/pdf`): anything else is 406.
- An invoice: JSON and XML (UBL 2.1 shapes: a line per line type) or PDF.
- A specification: JSON (UBL-style transactions, `invoiceSpecification`) or XLSX, paged by
  `page` (`invoice_page_size` lines, 25,000 as bol documents); a page past the last is `{ }`.
"""

import datetime
import io
import json
import time
import uuid
import zipfile
from xml.sax.saxutils import escape

from ..core import Response
from .data import JSON_TYPE, OK_CONTENT_TYPE, iso, iso_date
from .invoices import LINE_TYPES

XML_TYPE = "application/vnd.retailer.v10+xml"
PDF_TYPE = "application/vnd.retailer.v10+pdf"
XLSX_TYPE = "application/vnd.retailer.v10+openxmlformats-officedocument.spreadsheetml.sheet"
INVOICE_TYPES = frozenset([JSON_TYPE, XML_TYPE, PDF_TYPE])
SPECIFICATION_TYPES = frozenset([JSON_TYPE, XLSX_TYPE])
LISTED_INVOICE_TYPES = ["application/json", "application/xml", "application/pdf"]
LISTED_SPECIFICATION_TYPES = [
    "application/json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]
MAX_PERIOD_DAYS = 31
DEFAULT_DAYS = 28


def _amount(cents, key="amount"):
    return {key: round(cents / 100.0, 2), "currencyID": "EUR"}


def _value(value, **attributes):
    return dict({"value": value}, **attributes)


class InvoiceRenderMixin:
    """The invoice handlers of BolAPI."""

    def _wanted(self, req, allowed):
        for part in (req.header("accept") or "").split(","):
            media = part.split(";")[0].strip().lower()
            if media in allowed:
                return media
        return JSON_TYPE

    def _answer(self, media, body):
        headers = {"Content-Type": OK_CONTENT_TYPE if media == JSON_TYPE else media}
        headers["X-Request-ID"] = str(uuid.uuid4())
        return Response(200, body, headers)

    # -- list ------------------------------------------------------------------------------------
    def _period_args(self, req):
        """(first day, last day) asked for, or a 400 response."""
        raw = {name: (req.arg(name) or "").strip() for name in ("period-start-date", "period-end-date")}
        given = [name for name, value in raw.items() if value]
        if len(given) == 1:
            missing = "period-end-date" if given[0] == "period-start-date" else "period-start-date"
            return self.bad_request(
                [{"name": missing, "reason": "period-start-date and period-end-date must be given together."}]
            )
        if not given:
            today = datetime.date.fromisoformat(iso_date(time.time()))
            return today - datetime.timedelta(days=DEFAULT_DAYS), today
        dates, violations = {}, []
        for name, value in raw.items():
            try:
                dates[name] = datetime.date.fromisoformat(value)
            except ValueError:
                violations.append(
                    {
                        "name": name,
                        "reason": "Request contains invalid value(s): '%s', expected ISO 8601." % value,
                    }
                )
        if violations:
            return self.bad_request(violations)
        first, last = dates["period-start-date"], dates["period-end-date"]
        if last < first:
            return self.bad_request(
                [
                    {
                        "name": "period-end-date",
                        "reason": "period-end-date must not be before period-start-date.",
                    }
                ]
            )
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            return self.bad_request(
                [
                    {
                        "name": "period-end-date",
                        "reason": "The period between period-start-date and period-end-date can be no "
                        "longer than %d days." % MAX_PERIOD_DAYS,
                    }
                ]
            )
        return first, last

    def _get_invoices(self, req):
        period = self._period_args(req)
        if isinstance(period, Response):
            return period
        first, last = period
        self._settle()
        listed = [
            inv
            for inv in self.invoices
            if first <= datetime.date.fromisoformat(iso_date(inv["issued"])) <= last
        ]
        out = {"period": "%s - %s" % (first.isoformat(), last.isoformat())}
        if listed:  # bol leaves empty lists out
            out["invoiceListItems"] = [self._list_item(inv) for inv in listed]
        return self._ok(200, out)

    def _list_item(self, inv):
        return {
            "invoiceId": inv["id"],
            "invoiceMediaTypes": {"availableMediaTypes": list(LISTED_INVOICE_TYPES)},
            "invoiceType": inv["type"],
            "issueDate": iso(inv["issued"]),
            "invoicePeriod": {"startDate": iso_date(inv["start"]), "endDate": iso_date(inv["end"] - 1)},
            "legalMonetaryTotal": {
                "lineExtensionAmount": _amount(inv["net"]),
                "payableAmount": _amount(inv["payable"]),
                "taxExclusiveAmount": _amount(inv["net"]),
                "taxInclusiveAmount": _amount(inv["payable"]),
            },
            "specificationMediaTypes": {"availableMediaTypes": list(LISTED_SPECIFICATION_TYPES)},
        }

    # -- one invoice ---------------------------------------------------------------------------
    def _find_invoice(self, invoice_id):
        inv = self.invoices_by_id.get(invoice_id)
        if inv is None:
            return None, self.problem(404, "Not Found", "Invoice with id %s does not exist." % invoice_id)
        return inv, None

    def _summary(self, inv):
        """The invoice's lines: one per line type, in the order they first appear."""
        by_type = {}
        for tx in inv["lines"]:
            row = by_type.setdefault(tx["type"], {"qty": 0, "net": 0, "tax": 0, "percent": tx["percent"]})
            row["qty"] += tx["qty"]
            row["net"] += tx["net"]
            row["tax"] += tx["tax"]
        return by_type

    def _get_invoice(self, req, invoice_id):
        inv, missing = self._find_invoice(invoice_id)
        if missing:
            return missing
        media = self._wanted(req, INVOICE_TYPES)
        if media == PDF_TYPE:
            return self._answer(media, self._invoice_pdf(inv))
        if media == XML_TYPE:
            return self._answer(media, self._invoice_xml(inv).encode("utf-8"))
        lines = []
        for number, (kind, row) in enumerate(self._summary(inv).items(), 1):
            lines.append(
                {
                    "id": str(number),
                    "invoicedQuantity": _value(float(row["qty"]), unitCode="ZZ"),
                    "lineExtensionAmount": _amount(row["net"], "value"),
                    "taxTotal": {"TaxAmount": _amount(row["tax"], "value")},
                    "item": {"Name": _value(kind), "Description": [_value(LINE_TYPES.get(kind, ("",))[0])]},
                }
            )
        body = {
            "id": inv["id"],
            "issueDate": iso_date(inv["issued"]),
            "invoiceTypeCode": _value("380", listID="UNCL1001"),
            "documentCurrencyCode": "EUR",
            "invoicePeriod": {"startDate": iso_date(inv["start"]), "endDate": iso_date(inv["end"] - 1)},
            "taxTotal": {"TaxAmount": _amount(inv["tax"], "value")},
            "legalMonetaryTotal": {
                "LineExtensionAmount": _amount(inv["net"], "value"),
                "TaxExclusiveAmount": _amount(inv["net"], "value"),
                "TaxInclusiveAmount": _amount(inv["payable"], "value"),
                "PayableAmount": _amount(inv["payable"], "value"),
            },
            "invoiceLine": lines,
        }
        return self._answer(JSON_TYPE, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def _invoice_xml(self, inv):
        rows = "".join(
            '<cac:InvoiceLine><cbc:ID>%d</cbc:ID><cbc:InvoicedQuantity unitCode="ZZ">%d</cbc:InvoicedQuantity>'
            '<cbc:LineExtensionAmount currencyID="EUR">%.2f</cbc:LineExtensionAmount>'
            '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">%.2f</cbc:TaxAmount></cac:TaxTotal>'
            "<cac:Item><cbc:Name>%s</cbc:Name></cac:Item></cac:InvoiceLine>"
            % (n, row["qty"], row["net"] / 100.0, row["tax"] / 100.0, escape(kind))
            for n, (kind, row) in enumerate(self._summary(inv).items(), 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
            'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" '
            'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">'
            "<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>%s</cbc:ID><cbc:IssueDate>%s</cbc:IssueDate>"
            '<cbc:InvoiceTypeCode listID="UNCL1001">380</cbc:InvoiceTypeCode>'
            "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>%s"
            '<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">%.2f</cbc:PayableAmount>'
            "</cac:LegalMonetaryTotal></Invoice>"
            % (inv["id"], iso_date(inv["issued"]), rows, inv["payable"] / 100.0)
        )

    @staticmethod
    def _invoice_pdf(inv):
        text = "bol.com factuur %s - te betalen EUR %.2f" % (inv["id"], inv["payable"] / 100.0)
        stream = "BT /F1 12 Tf 50 780 Td (%s) Tj ET" % text
        objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        out, offsets = "%PDF-1.4\n", []
        for n, obj in enumerate(objects, 1):
            offsets.append(len(out))
            out += "%d 0 obj\n%s\nendobj\n" % (n, obj)
        xref = len(out)
        out += "xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += "".join("%010d 00000 n \n" % o for o in offsets)
        out += "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
        return out.encode("latin-1")

    # -- specification -------------------------------------------------------------------------
    def _get_invoice_specification(self, req, invoice_id):
        v = []
        page = self._q_int(req, "page", 1, v, minimum=1)
        if v:
            return self.bad_request(v)
        inv, missing = self._find_invoice(invoice_id)
        if missing:
            return missing
        size = self.invoice_page_size
        chunk = inv["lines"][(page - 1) * size : page * size]
        numbers = {kind: n for n, kind in enumerate(self._summary(inv), 1)}
        if self._wanted(req, SPECIFICATION_TYPES) == XLSX_TYPE:
            return self._answer(XLSX_TYPE, self._specification_xlsx(chunk))
        if not chunk:
            return self._empty_list()
        body = {"invoiceSpecification": [self._spec_line(tx, numbers[tx["type"]]) for tx in chunk]}
        return self._answer(JSON_TYPE, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    @staticmethod
    def _spec_line(tx, number):
        description, _percent, category = LINE_TYPES.get(tx["type"], ("", 21, "S"))
        properties = []
        if tx["order"]:
            properties.append({"Name": _value("ORDER_ID"), "Value": _value(tx["order"])})
        if tx["ean"]:
            properties.append({"Name": _value("EAN"), "Value": _value(tx["ean"])})
        if tx["item"]:
            properties.append({"Name": _value("ORDER_ITEM_ID"), "Value": _value(tx["item"])})
        qty = float(tx["qty"] or 1)
        return {
            "id": tx["id"],
            "invoiceLineRef": "%d#%s" % (number, tx["type"]),
            "invoicedQuantity": _value(qty, unitCode="ZZ", unitCodeListID="UNECERec20"),
            "lineExtensionAmount": _amount(tx["net"], "value"),
            "taxTotal": {"TaxAmount": _amount(tx["tax"], "value")},
            "price": {
                "PriceAmount": _amount(int(round(tx["net"] / qty)), "value"),
                "BaseQuantity": _value(1.0),
            },
            "item": {
                "Description": [_value(tx.get("description") or description)],
                "Name": _value(tx["type"]),
                "ClassifiedTaxCategory": [
                    {
                        "ID": _value(category, schemeID="UNCL5305", schemeAgencyID="6"),
                        "Percent": _value(float(tx["percent"])),
                        "TaxScheme": {"ID": _value("VAT", schemeID="UN/ECE 5153", schemeAgencyID="6")},
                    }
                ],
                "AdditionalItemProperty": properties,
            },
        }

    @staticmethod
    def _specification_xlsx(lines):
        """A one-sheet workbook of the lines (inline strings: no shared-strings part needed)."""
        header = ("ID", "Type", "Order ID", "EAN", "Quantity", "Amount excl. VAT", "VAT", "VAT %")
        rows = [header] + [
            (
                tx["id"],
                tx["type"],
                tx["order"] or "",
                tx["ean"] or "",
                tx["qty"],
                tx["net"] / 100.0,
                tx["tax"] / 100.0,
                tx["percent"],
            )
            for tx in lines
        ]

        def cell(value):
            if isinstance(value, (int, float)):
                return "<c><v>%s</v></c>" % value
            return '<c t="inlineStr"><is><t>%s</t></is></c>' % escape(str(value))

        sheet = "".join("<row>%s</row>" % "".join(cell(v) for v in row) for row in rows)
        ns = "http://schemas.openxmlformats.org"
        parts = {
            "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>' % ns,
            "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s/package/2006/'
            'relationships"><Relationship Id="rId1" Type="%s/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>' % (ns, ns),
            "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="%s/spreadsheetml/'
            '2006/main" xmlns:r="%s/officeDocument/2006/relationships"><sheets><sheet name="Specificatie" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>' % (ns, ns),
            "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s/'
            'package/2006/relationships"><Relationship Id="rId1" Type="%s/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>' % (ns, ns),
            "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s/'
            'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % (ns, sheet),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in parts.items():
                archive.writestr(name, text)
        return buffer.getvalue()
