//! Layout-composition guidance (site switch `imageCompositionSkillEnabled`): image prompts get
//! a short instruction to borrow one of 100 layouts — picked deterministically from the prompt,
//! ratio, resolution and whether references are used — for balance, whitespace, depth and
//! visual flow, without changing the subject or copying any concrete element.
use sha2::{Digest, Sha256};

/// Ten overall structures of a picture.
const STRUCTURES: [&str; 10] = [
    "三分法构图，主体落在右上交点",
    "三分法构图，主体落在左下交点",
    "居中对称构图，主体稳居画面中轴",
    "对角线构图，视觉动线从左下延伸到右上",
    "S 形曲线构图，视线沿曲线由近及远",
    "框中框构图，利用前景结构框住主体",
    "三角形稳定构图，重心压在画面下部",
    "引导线构图，线条汇聚到主体",
    "留白构图，主体偏置一侧，另一侧大面积留白",
    "层叠纵深构图，前景、中景、远景分层清晰",
];

/// Ten treatments of space and emphasis, combined with each structure.
const TREATMENTS: [&str; 10] = [
    "前景轻微虚化以拉开景深",
    "以明暗对比把视线引向主体",
    "负空间占画面约三分之一",
    "主体占画面约一半，边缘保留呼吸感",
    "低机位略仰视，增强体量感",
    "高机位略俯视，交代空间关系",
    "色块分区平衡左右重量",
    "重复元素形成节奏，打破其一作为焦点",
    "斜向光线勾勒轮廓与层次",
    "近大远小的透视强化纵深",
];

/// The instruction appended to an image prompt.
pub fn instruction(prompt: &str, aspect_ratio: Option<&str>, resolution: Option<&str>, has_reference: bool) -> String {
    let head: String = prompt.chars().take(500).collect();
    let key =
        format!("{head}|{}|{}|{}", aspect_ratio.unwrap_or(""), resolution.unwrap_or(""), if has_reference { "reference" } else { "text" });
    let pick = Sha256::digest(key.as_bytes())[0] as usize % 100;
    let (structure, treatment) = (STRUCTURES[pick / 10], TREATMENTS[pick % 10]);
    format!(
        "[版式构图参考 layout-{:03}] {structure}；{treatment}。\n\
         只借鉴该版式的重心、留白、景深层次、视觉动线、主体位置与裁切方式。\n\
         保持原描述的主体、内容与风格不变，并适配当前画幅比例与分辨率。\n\
         不要添加文字、标志或海报排版，也不要照搬任何具体元素。",
        pick + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pick_is_deterministic_and_depends_on_the_inputs() {
        let a = instruction("a fox in snow", Some("16:9"), None, false);
        assert_eq!(a, instruction("a fox in snow", Some("16:9"), None, false));
        assert!(a.starts_with("[版式构图参考 layout-") && a.lines().count() == 4, "{a}");
        let picks: std::collections::HashSet<String> =
            (0..40).map(|i| instruction(&format!("prompt {i}"), None, None, false).lines().next().unwrap().to_string()).collect();
        assert!(picks.len() > 20, "the layouts vary with the prompt: {}", picks.len());
    }
}
