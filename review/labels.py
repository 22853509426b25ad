"""The Chinese names people read for draft states, sign-off tiers and sensitivity levels."""

STATUS_LABELS = {
    "draft": "草稿", "screening": "自动审查中", "in_review": "审核中", "approved": "已签发待发布",
    "published": "已发布", "returned": "已退回", "withdrawn": "已撤回",
}
TIER_LABELS = {"editor": "编辑初审", "dept_head": "部门负责人复审", "leader": "主要领导终审"}
SENSITIVITY_LABELS = {"general": "一般", "important": "重要", "blocked": "禁止发布"}
