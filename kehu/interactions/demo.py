"""Demo survey templates (the yearly satisfaction survey with the seed's items, product-use
feedback, product-quality tracking) and the standard complaint reply letters of both routes."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from kehu.audit.context import SYSTEM, acting_as
from kehu.generic.services import audited_create
from kehu.interactions.models import (
    ComplaintReplyTemplate,
    ComplaintRoute,
    Scale,
    SurveyItem,
    SurveyKind,
    SurveyTemplate,
)

# name, kind, month of the yearly round (None: sent by hand), [(question, scale, target)]
TEMPLATES = [
    ("顾客满意度调查表", SurveyKind.SATISFACTION, 1, [
        ("服务质量", Scale.FIVE, Decimal("80")),
        ("套餐价格", Scale.FIVE, Decimal("70")),
        ("公司评价", Scale.FIVE, Decimal("80")),
        ("您向他人推荐我公司的可能性", Scale.NPS, Decimal("20")),
        ("意见与建议", Scale.TEXT, None),
    ]),
    ("客户产品使用情况意见与建议调查", SurveyKind.PRODUCT_USE, None, [
        ("产品使用满意度", Scale.FIVE, Decimal("75")),
        ("使用中遇到的问题与建议", Scale.TEXT, None),
    ]),
    ("产品质量跟踪", SurveyKind.PRODUCT_QUALITY, None, [
        ("产品质量稳定性", Scale.FIVE, Decimal("85")),
        ("质量问题描述", Scale.TEXT, None),
    ]),
]  # fmt: skip

LETTERS = [
    ("服务质量不达标投诉回复函", ComplaintRoute.SERVICE_STANDARD,
     "尊敬的{customer}：\n\n贵方于{received}提出的关于{category}的投诉（编号{number}）已收悉。"
     "我公司业务部门会同公司生产处进行了调查处理，处理结果经公司总经理审批如下：\n\n{result}\n\n"
     "对给贵方带来的不便深表歉意，并感谢贵方对我们工作的监督。如有异议，请与我公司办公室联系。"
     "\n\n{date}"),
    ("服务过程不满意投诉回复函", ComplaintRoute.SERVICE_PROCESS,
     "尊敬的{customer}：\n\n贵方于{received}反映的服务过程中的问题（编号{number}）已由相关业务部门"
     "处理，处理结果经公司总经理审批如下：\n\n{result}\n\n我们将持续改进服务，欢迎贵方继续提出宝贵"
     "意见。\n\n{date}"),
]  # fmt: skip


def load() -> int:
    if SurveyTemplate.objects.exists() or ComplaintReplyTemplate.objects.exists():
        return 0
    created = 0
    with acting_as(SYSTEM), transaction.atomic():
        for name, kind, month, items in TEMPLATES:
            template = audited_create(SurveyTemplate(name=name, kind=kind, round_month=month))
            for order, (label, scale, target) in enumerate(items, start=1):
                audited_create(
                    SurveyItem(
                        template=template, order=order, label=label, scale=scale, target=target
                    )
                )
            created += 1 + len(items)
        for title, route, body in LETTERS:
            audited_create(ComplaintReplyTemplate(title=title, route=route, body=body))
            created += 1
    return created
